// Prints how one machine copes with a project of many small blocks: 100 image blocks (60
// websites, 40 workers, all busybox) on the compiled binary's `berth serve` and edge on the real
// Docker engine, at the production rollout timings (drain 2 s, settle 2 s, edge sync 500 ms,
// crash watch 5 s) unless --test-timings. It deploys them from nothing, deploys again with no
// change, deploys a change to all 100 while a load loop asks one website through the edge (no
// request may fail), times the status API, samples serve's RSS throughout, and deletes the
// project (containers, network, routes) at the end, also when interrupted. Between those: the
// release promoted to a second environment (prod: from nothing, then the change to all), and all
// blocks scaled to 3 replicas (300 containers) to time status and edge lookups again.
// Targets: from nothing < 60 s, the change < 90 s with 0 failed requests, promote < 30 s,
// status p99 < 50 ms, edge lookups as fast at 300 containers as at 100, serve's RSS < 150 MB.
//
// Each rollout step also prints where its time went, from the rollout's own log lines as the CLI
// prints them (when each block started, turned healthy and had its old replicas stopped).
//
//   bun scripts/bench-scale.ts [--websites 60] [--workers 40] [--concurrency N] [--test-timings] [--skip-scale] [--set SETTING=VALUE]… [--serve-env NAME=VALUE]…
// Needs the test environment (bash scripts/test-env/setup.sh) and the binary (bun run build).
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BINARY, startServe, TEST_TIMINGS } from "../test/support/binary.ts";
import { loadTestEnv } from "../test/support/test-env.ts";
import { verdict } from "./bench/stats.ts";
import { berthOk, cleanUpOnInterrupt, removeProjectObjects, stopServeAndEdge } from "./bench/project-objects.ts";
import { fail, requireBinary, requireTestEnv } from "./bench/tools.ts";

const { values: flags } = parseArgs({
  options: {
    websites: { type: "string", default: "60" },
    workers: { type: "string", default: "40" },
    concurrency: { type: "string" },
    "test-timings": { type: "boolean", default: false },
    // Leaves out scaling to 3 replicas and the lookups at 300 containers (a shorter run while iterating).
    "skip-scale": { type: "boolean", default: false },
    set: { type: "string", multiple: true, default: [] },
    "serve-env": { type: "string", multiple: true, default: [] },
  },
});
const WEBSITES = Number(flags.websites);
const WORKERS = Number(flags.workers);
if (!Number.isInteger(WEBSITES) || WEBSITES < 1 || WEBSITES > 500) fail("--websites must be a whole number from 1 to 500");
if (!Number.isInteger(WORKERS) || WORKERS < 0 || WORKERS > 500) fail("--workers must be a whole number from 0 to 500");
const concurrency = flags.concurrency === undefined ? undefined : Number(flags.concurrency);
if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)) fail("--concurrency must be a whole number from 1 to 64");
const PRODUCTION_TIMINGS = { deployDrain: "2s", deploySettle: "2s", edgeSync: "500ms", rolloutWatch: "5s" };
const timings = flags["test-timings"] ? TEST_TIMINGS : PRODUCTION_TIMINGS;
// Any other serve setting, to see what it costs (e.g. --set metricsInterval=0s).
const extra = Object.fromEntries(
  flags.set.map((pair) => {
    const at = pair.indexOf("=");
    if (at < 1) fail(`--set takes SETTING=VALUE, got ${JSON.stringify(pair)}`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
// Environment for serve alone, e.g. --serve-env BUN_OPTIONS=--smol to see what the runtime's heap costs.
const serveEnv = Object.fromEntries(
  flags["serve-env"].map((pair) => {
    const at = pair.indexOf("=");
    if (at < 1) fail(`--serve-env takes NAME=VALUE, got ${JSON.stringify(pair)}`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
const TARGETS = { fromNothingMs: 60_000, changeMs: 90_000, promoteMs: 30_000, statusP99Ms: 50, rssMb: 150 };

requireTestEnv();
requireBinary();
const busybox = loadTestEnv().images.busybox;
const project = `benchscale${crypto.randomUUID().slice(0, 6)}`;
const server = await startServe([], { ...timings, ...extra, ...(concurrency === undefined ? {} : { rolloutConcurrency: concurrency }) }, serveEnv);
const token = readFileSync(join(server.dataDir, "admin.token"), "utf8").trim();


let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  await server.run(["project", "delete", project, "--yes"]).catch(() => {});
  await stopServeAndEdge(server);
  // Whatever the delete could not reach (serve gone mid-run): only this project's objects.
  removeProjectObjects(project, ["dev", "prod"]);
  rmSync(server.home, { recursive: true, force: true });
}
cleanUpOnInterrupt(cleanup);

const run = (args: string[]) => berthOk(server, args);

const pad = (n: number) => String(n).padStart(3, "0");
function projectFile(version: string): string {
  const blocks: string[] = [];
  for (let i = 0; i < WEBSITES; i++) {
    blocks.push(`  w${pad(i)}:
    kind: website
    image: ${busybox}
    command: [sh, -c, "mkdir -p /www && echo w${pad(i)} ${version} > /www/index.html && exec httpd -f -p 8080 -h /www"]
    port: 8080`);
  }
  for (let i = 0; i < WORKERS; i++) {
    blocks.push(`  k${pad(i)}:
    kind: worker
    image: ${busybox}
    command: [sh, -c, "echo k${pad(i)} ${version}; while true; do sleep 5; done"]`);
  }
  return `project: ${project}\nblocks:\n${blocks.join("\n")}\nenvironments:\n  dev: {}\n  prod: {}\n`;
}

/** serve's resident set in MB, sampled every 200 ms while `work` runs. */
async function sampledRss<T>(work: () => Promise<T>): Promise<{ value: T; maxMb: number }> {
  const rssMb = () => {
    const line = readFileSync(`/proc/${server.proc.pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB$/m);
    return line ? Number(line[1]) / 1024 : 0;
  };
  let maxMb = rssMb();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      maxMb = Math.max(maxMb, rssMb());
      await Bun.sleep(200);
    }
  })();
  try {
    return { value: await work(), maxMb };
  } finally {
    sampling = false;
    await sampler;
    maxMb = Math.max(maxMb, rssMb());
  }
}

interface Row {
  step: string;
  seconds: number;
  rssMb: number;
  note: string;
}
const rows: Row[] = [];

async function deployStep(step: string, note = "", args = ["deploy", project, "dev", "--wait"]): Promise<number> {
  const load = loadavg()[0]!;
  const started = performance.now();
  const { value: lines, maxMb } = await sampledRss(() => runTimed(args));
  const ms = performance.now() - started;
  rows.push({ step, seconds: ms / 1000, rssMb: maxMb, note: `${note}${note ? "; " : ""}load ${load.toFixed(1)} at start` });
  // Each figure as it comes, so a run that fails later still shows what it measured.
  console.log(`  ${step}: ${(ms / 1000).toFixed(1)} s, serve RSS max ${maxMb.toFixed(0)} MB`);
  const profile = rolloutProfile(lines);
  if (profile) console.log(`    ${profile}`);
  return ms;
}

interface TimedLine {
  ms: number;
  text: string;
}

/** A CLI call through serve that must succeed, with when each line of its output came (ms from the call). */
async function runTimed(args: string[]): Promise<TimedLine[]> {
  const started = performance.now();
  const proc = Bun.spawn([BINARY, ...args, "--config", join(server.home, "config.yaml")], { env: server.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const lines: TimedLine[] = [];
  let rest = "";
  const decoder = new TextDecoder();
  const reader = proc.stdout.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    const chunk = read.value;
    const ms = performance.now() - started;
    const parts = (rest + decoder.decode(chunk, { stream: true })).split("\n");
    rest = parts.pop()!;
    for (const text of parts) lines.push({ ms, text });
  }
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`berth ${args.join(" ")} exited with ${code}: ${(stderr || lines.map((l) => l.text).join("\n")).trim().split("\n").slice(-3).join(" | ")}`);
  return lines;
}

/**
 * Where a rollout's time went, from its log lines: when the first and last block started, the
 * last turned healthy (or settled) and the last had its old replicas stopped; the crash watch;
 * and how long blocks took from starting to healthy (a website) or settled (a worker).
 */
function rolloutProfile(lines: TimedLine[]): string | null {
  const at = (pattern: RegExp) => lines.filter((l) => pattern.test(l.text)).map((l) => l.ms);
  const blockTimes = (pattern: RegExp) => {
    const times = new Map<string, number>();
    for (const line of lines) {
      const block = pattern.exec(line.text)?.[1];
      if (block && !times.has(block)) times.set(block, line.ms);
    }
    return times;
  };
  const starts = blockTimes(/^\s*(\S+): starting \d+ replica/);
  if (starts.size === 0) return null;
  const ups = blockTimes(/^\s*(\S+): (?:healthy on|replica \d+ still running after)/);
  const stops = at(/: stopping \d+ old replica/);
  const rolling = at(/rolling out \d+ block/)[0] ?? 0;
  const watch = at(/watching for crashes/)[0];
  const end = lines.at(-1)?.ms ?? 0;
  const s = (ms: number | undefined) => (ms === undefined ? "–" : `${((ms - rolling) / 1000).toFixed(1)}`);
  const boot = (kind: RegExp) => {
    const took = [...starts].filter(([b]) => kind.test(b) && ups.has(b)).map(([b, ms]) => ups.get(b)! - ms).sort((a, b) => a - b);
    return took.length ? `${(percentile(took, 50) / 1000).toFixed(1)}/${(percentile(took, 90) / 1000).toFixed(1)}/${(took.at(-1)! / 1000).toFixed(1)}` : "–";
  };
  return `from "rolling out" (at ${(rolling / 1000).toFixed(1)} s), s: first start ${s(Math.min(...starts.values()))}, last start ${s(Math.max(...starts.values()))}, ` +
    `last up ${s(ups.size ? Math.max(...ups.values()) : undefined)}, last old stopping ${s(stops.length ? Math.max(...stops) : undefined)}, crash watch ${s(watch)}, end ${s(end)}; ` +
    `start→up p50/p90/max s: websites ${boot(/^w/)}, workers ${boot(/^k/)}`;
}

/** Asks one website through the edge, one request after another, until stopped. */
function loadLoop(host: string) {
  let sent = 0;
  let failed = 0;
  const failures: string[] = [];
  let going = true;
  const loop = (async () => {
    while (going) {
      sent++;
      try {
        const res = await fetch(`${server.edgeUrl}/`, { headers: { Host: host }, signal: AbortSignal.timeout(5000) });
        const body = await res.text();
        if (res.status !== 200) {
          failed++;
          failures.push(`${res.status} ${body.trim().slice(0, 80)}`);
        }
      } catch (error) {
        failed++;
        failures.push(String(error).slice(0, 80));
      }
    }
  })();
  return {
    async stop() {
      going = false;
      await loop;
      return { sent, failed, failures };
    },
  };
}

async function statusTimes(samples: number): Promise<number[]> {
  const url = `${server.url}/api/projects/${project}/environments/dev/status`;
  // The first call may fill caches; what a user sees from then on is what counts.
  await (await fetch(url, { headers: { Authorization: `Bearer ${token}` } })).arrayBuffer();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`status answered ${res.status}`);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}
/** One request after another through the edge, round-robin over every website's host. */
async function edgeTimes(samples: number): Promise<number[]> {
  const hosts = Array.from({ length: WEBSITES }, (_, i) => `w${pad(i)}.dev.${project}.localhost`);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    const res = await fetch(`${server.edgeUrl}/`, { headers: { Host: hosts[i % hosts.length]! } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`the edge answered ${res.status} for ${hosts[i % hosts.length]}`);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

interface Lookup {
  containers: number;
  status: number[];
  edge: number[];
}
const lookups: Lookup[] = [];
async function measureLookups(containers: number) {
  const { status, edge } = { status: await statusTimes(200), edge: await edgeTimes(600) };
  lookups.push({ containers, status, edge });
  console.log(`  ${containers} containers: status p99 ${percentile(status, 99).toFixed(1)} ms, edge p50 ${percentile(edge, 50).toFixed(2)} ms`);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

try {
  const file = join(server.home, "berth.yaml");
  writeFileSync(file, projectFile("v1"));
  await run(["apply", "-f", file]);
  const settings = JSON.parse(readFileSync(join(server.home, "config.yaml"), "utf8")) as Record<string, unknown>;
  console.log(`${WEBSITES} websites + ${WORKERS} workers (${busybox}); rolloutConcurrency ${settings.rolloutConcurrency ?? "default"}; timings ${JSON.stringify(timings)}${[...flags.set, ...flags["serve-env"]].map((p) => `; ${p}`).join("")}`);

  const fromNothing = await deployStep("deploy from nothing");
  const listed = JSON.parse(await run(["status", project, "dev", "--json"])) as { blocks?: { state: string }[] } | { state: string }[];
  const blocks = Array.isArray(listed) ? listed : (listed.blocks ?? []);
  const runningCount = blocks.filter((b) => b.state === "running").length;
  if (runningCount !== WEBSITES + WORKERS) throw new Error(`after the deploy ${runningCount} of ${WEBSITES + WORKERS} blocks run`);

  await deployStep("deploy, no change");

  writeFileSync(file, projectFile("v2"));
  await run(["apply", "-f", file]);
  const load = loadLoop(`w000.dev.${project}.localhost`);
  const change = await deployStep("deploy a change to all", "load on w000");
  const { sent, failed, failures } = await load.stop();
  rows.at(-1)!.note = `${sent} requests, ${failed} failed; ${rows.at(-1)!.note}`;
  const answer = await (await fetch(`${server.edgeUrl}/`, { headers: { Host: `w000.dev.${project}.localhost` } })).text();
  if (answer.trim() !== "w000 v2") throw new Error(`w000 answers ${JSON.stringify(answer.trim())} after the change`);

  await measureLookups(WEBSITES + WORKERS);

  // prod has run nothing yet: the promote starts all 100 there; then dev's change goes to prod too.
  const promoteFirst = await deployStep("promote to prod, first", "", ["promote", project, "dev", "prod", "--wait"]);
  writeFileSync(file, projectFile("v3"));
  await run(["apply", "-f", file]);
  await run(["deploy", project, "dev", "--wait"]);
  const promoteChange = await deployStep("promote a change to all", "", ["promote", project, "dev", "prod", "--wait"]);
  // Its containers go; a network the engine will not let go of (see below) is noted, not fatal.
  await run(["env", "stop", project, "prod"]).catch((error: Error) => console.log(`  env stop prod: ${error.message.split("\n")[0]}`));

  if (!flags["skip-scale"]) {
    const allBlocks = [...Array.from({ length: WEBSITES }, (_, i) => `w${pad(i)}`), ...Array.from({ length: WORKERS }, (_, i) => `k${pad(i)}`)];
    await deployStep("scale all to 3 replicas", "", ["scale", project, "dev", ...allBlocks.map((b) => `${b}=3`), "--wait"]);
    await measureLookups(3 * (WEBSITES + WORKERS));
  }

  const removeStarted = performance.now();
  // A failed delete is reported with the figures, not instead of them (Docker 20.10 can keep a
  // stale endpoint on a network after many deletes: see docs/benchmarks.md).
  const removed = await sampledRss(() => run(["project", "delete", project, "--yes"]).then(() => "", (error: Error) => error.message.split("\n")[0]!));
  rows.push({ step: "delete the project", seconds: (performance.now() - removeStarted) / 1000, rssMb: removed.maxMb, note: removed.value });

  console.log(`\n${"step".padEnd(26)}${"s".padStart(8)}${"serve RSS max MB".padStart(18)}  note`);
  for (const row of rows) console.log(`${row.step.padEnd(26)}${row.seconds.toFixed(1).padStart(8)}${row.rssMb.toFixed(0).padStart(18)}  ${row.note}`);
  for (const { containers, status, edge } of lookups) {
    console.log(`${containers} containers: status API (200 calls) p50 ${percentile(status, 50).toFixed(1)} ms, p99 ${percentile(status, 99).toFixed(1)} ms; ` +
      `edge (600 requests over ${WEBSITES} hosts) p50 ${percentile(edge, 50).toFixed(2)} ms, p99 ${percentile(edge, 99).toFixed(2)} ms`);
  }
  const p99 = Math.max(...lookups.map((l) => percentile(l.status, 99)));
  const [few, many] = [lookups[0]!, lookups.at(-1)!].map((l) => percentile(l.edge, 50));
  if (failures.length) console.log(`failed requests: ${[...new Set(failures)].slice(0, 5).join(" | ")}`);
  const rssMax = Math.max(...rows.map((r) => r.rssMb));
  console.log(`load average now: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  console.log(`targets: from nothing < ${TARGETS.fromNothingMs / 1000} s ${verdict(fromNothing < TARGETS.fromNothingMs)}; ` +
    `change < ${TARGETS.changeMs / 1000} s with 0 failed ${verdict(change < TARGETS.changeMs && failed === 0)}; ` +
    `promote < ${TARGETS.promoteMs / 1000} s ${verdict(Math.max(promoteFirst, promoteChange) < TARGETS.promoteMs)}; ` +
    `status p99 < ${TARGETS.statusP99Ms} ms ${verdict(p99 < TARGETS.statusP99Ms)}; edge p50 at 300 containers within 1.5× of 100 ${verdict(many! < 1.5 * few!)}; serve RSS < ${TARGETS.rssMb} MB ${verdict(rssMax < TARGETS.rssMb)}`);
} catch (error) {
  console.error(`bench: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
