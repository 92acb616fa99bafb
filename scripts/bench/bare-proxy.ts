import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { whenReady } from "./proc.ts";

/**
 * The floor under any Bun proxy: forward every request with fetch() and nothing else. The edge's
 * distance to it is the cost of its own code; its distance to nginx is mostly this floor.
 */
export async function startBareBunProxy(port: number, upstreamPort: number): Promise<{ pid: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "berth-bench-bare-"));
  const file = join(dir, "proxy.ts");
  writeFileSync(
    file,
    `const origin = "http://127.0.0.1:${upstreamPort}";
Bun.serve({
  hostname: "127.0.0.1",
  port: ${port},
  fetch(req) {
    const url = req.url;
    return fetch(origin + url.slice(url.indexOf("/", 8)), { method: req.method, headers: req.headers, body: req.body, redirect: "manual", decompress: false });
  },
});
`,
  );
  const proc = Bun.spawn(["bun", file], { stdout: "ignore", stderr: "inherit" });
  return whenReady(proc, {
    ready: () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok),
    timeoutMs: 10_000,
    pollMs: 50,
    why: async () => "the bare Bun proxy did not start",
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  });
}
