import { readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** User + system CPU seconds used so far by a process and its children (an nginx master and its workers). */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const id of [pid, ...children(pid)]) {
    try {
      // Fields after the command name, which may itself hold spaces: utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${id}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {}
  }
  return ticks / TICKS_PER_SECOND;
}

/** Resident memory of a process in MB. */
export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : 0;
}

export interface Started {
  pid: number;
  stop(): Promise<void>;
}

/**
 * Waits until `ready()` holds for a process just spawned, then returns a handle that stops it
 * and runs `cleanup`. If it exits or the time runs out first: kill, clean up, throw `why()`.
 */
export async function whenReady(
  proc: { pid: number; exitCode: number | null; kill(signal?: string | number): void; exited: Promise<number> },
  options: { ready: () => Promise<boolean>; timeoutMs: number; pollMs: number; why: () => Promise<string>; cleanup?: () => void },
): Promise<Started> {
  const deadline = Date.now() + options.timeoutMs;
  while (!(await options.ready().catch(() => false))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill();
      const reason = await options.why();
      options.cleanup?.();
      throw new Error(reason);
    }
    await Bun.sleep(options.pollMs);
  }
  return {
    pid: proc.pid,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
      options.cleanup?.();
    },
  };
}
