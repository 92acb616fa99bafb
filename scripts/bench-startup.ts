// Prints the compiled binary's cold start (spawn → first 200 from /healthz) and the idle RSS
// of `berth serve`, next to a bare Bun HTTP server measured the same way in the same run.
// Targets: cold start < 150 ms, idle RSS < 60 MB.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../test/support/binary.ts";

const BINARY = join(import.meta.dir, "../dist/berth");
const RUNS = Number(process.argv[2] ?? 10);

async function coldStart(argv: string[], env: Record<string, string>, url: string) {
  const started = performance.now();
  const proc = Bun.spawn(argv, { env, stdout: "ignore", stderr: "ignore" });
  for (;;) {
    try {
      if ((await fetch(url)).ok) break;
    } catch {}
    if (performance.now() - started > 10_000) throw new Error(`${argv.join(" ")} did not answer ${url}`);
    await Bun.sleep(1);
  }
  const ms = performance.now() - started;
  await Bun.sleep(1000);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, "utf8"))![1]);
  proc.kill();
  await proc.exited;
  return { ms, rssMb: rssKb / 1024 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(label: string, make: (port: number, dir: string) => { argv: string[]; env: Record<string, string> }) {
  const results = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = mkdtempSync(join(tmpdir(), "berth-bench-"));
    const port = freePort();
    const { argv, env } = make(port, dir);
    results.push(await coldStart(argv, env, `http://127.0.0.1:${port}/healthz`));
  }
  const ms = median(results.map((r) => r.ms));
  const rss = median(results.map((r) => r.rssMb));
  console.log(`${label.padEnd(28)} cold start ${ms.toFixed(1).padStart(6)} ms   idle RSS ${rss.toFixed(1).padStart(5)} MB`);
  return { ms, rss };
}

const peerDir = mkdtempSync(join(tmpdir(), "berth-peer-"));
writeFileSync(join(peerDir, "server.ts"), `Bun.serve({ hostname: "127.0.0.1", port: Number(process.env.PORT), fetch: () => new Response("ok") });`);
Bun.spawnSync(["bun", "build", "--compile", "--minify", "--bytecode", join(peerDir, "server.ts"), "--outfile", join(peerDir, "server")], { stdout: "ignore" });

console.log(`median of ${RUNS} runs each, fresh data dir per run`);
const berth = await measure("berth serve (compiled)", (port, dir) => ({
  argv: [BINARY, "serve", "--no-edge", "--fresh"],
  env: { PATH: process.env.PATH!, HOME: dir, BERTH_DATA_DIR: join(dir, "data"), BERTH_API_LISTEN: `127.0.0.1:${port}` },
}));
const peer = await measure("bare Bun.serve (compiled)", (port) => ({ argv: [join(peerDir, "server")], env: { PORT: String(port) } }));
console.log(`ratio berth/bare: cold start ${(berth.ms / peer.ms).toFixed(2)}x, RSS ${(berth.rss / peer.rss).toFixed(2)}x`);
console.log(`targets: cold start < 150 ms ${berth.ms < 150 ? "met" : "MISSED"}; idle RSS < 60 MB ${berth.rss < 60 ? "met" : "MISSED"}`);
