// Test support for this folder: what `ps` would show, read from /proc.
import { readdirSync, readFileSync } from "node:fs";

/** The argv of every process visible now, as space-joined strings. */
export function visibleCommandLines(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
      if (argv.length) lines.push(argv.join(" "));
    } catch {
      // The process ended while we looked.
    }
  }
  return lines;
}

/** A loopback TCP server that accepts connections and never answers. */
export function silentServer() {
  let open = 0;
  const server = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open() {
        open++;
      },
      data() {},
      close() {
        open--;
      },
    },
  });
  return {
    port: server.port,
    openConnections: () => open,
    stop: () => server.stop(true),
  };
}

/** Waits until `check` holds, polling, or fails after `ms`. */
export async function eventually(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await Bun.sleep(25);
  }
}
