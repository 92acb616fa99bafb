// Prints what sampling costs with N running containers (default 30), on the real Docker engine:
//   1. two ways to read the engine's stats, in this process, over the same window:
//      one-shot    one `stats?stream=false&one-shot=true` call per container per 10 s round (what
//                  Berth does; rates come from the previous round);
//      streams     one long-lived stats stream per container (the engine sends a reading a second);
//      each with this process's CPU and RSS, the engine's (dockerd) CPU, and a round's duration;
//   2. the control plane itself: `berth serve --no-edge` over a project owning the containers,
//      sampling off (metricsInterval 0s) and on (10s): its CPU (% of one core) and RSS.
// Targets: < 3% of one core and < 20 MB extra RSS for the control plane with sampling on.
//
//   bun scripts/bench-metrics.ts [--containers 30] [--seconds 60]
// Needs the test environment (Docker engine, base images): bash scripts/test-env/setup.sh
import Docker from "dockerode";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createStatsReader } from "../src/adapters/runtime/docker/stats.ts";
import { cpuSeconds, rssMb } from "./bench/proc.ts";
import { verdict } from "./bench/stats.ts";
import { fail, requireBinary, requireTestEnv } from "./bench/tools.ts";

const { values: flags } = parseArgs({ options: { containers: { type: "string", default: "30" }, seconds: { type: "string", default: "60" } } });
const COUNT = Number(flags.containers);
const SECONDS = Number(flags.seconds);
if (!Number.isInteger(COUNT) || COUNT < 1 || COUNT > 200) fail("--containers must be a whole number from 1 to 200");
if (!Number.isInteger(SECONDS) || SECONDS < 20 || SECONDS > 3600) fail("--seconds must be a whole number from 20 to 3600");

requireTestEnv();
const binary = requireBinary();
const envFile = join(process.env.BERTH_TEST_STATE ?? join(import.meta.dir, "../.test-env"), "env");
const image = /^BERTH_TEST_BASE_BUSYBOX=(.*)$/m.exec(readFileSync(envFile, "utf8"))?.[1] ?? fail(`no BERTH_TEST_BASE_BUSYBOX in ${envFile}`);
const PROJECT = `benchmetrics${crypto.randomUUID().slice(0, 6)}`;
const docker = new Docker();
const dockerdPid = Number(Bun.spawnSync(["pidof", "dockerd"], { stdout: "pipe" }).stdout.toString().trim().split(" ")[0]) || 0;
const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const mb = (bytes: number) => bytes / 1024 ** 2;

async function startContainers() {
  console.log(`starting ${COUNT} containers of ${image} as project ${PROJECT}…`);
  const ids: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const container = await docker.createContainer({
      Image: image,
      Cmd: ["sh", "-c", "while true; do sleep 5; done"],
      Labels: { "berth.managed": "true", "berth.project": PROJECT, "berth.env": "dev", "berth.block": "w", "berth.replica": String(i) },
      HostConfig: { Init: true },
    });
    await container.start();
    ids.push(container.id);
  }
  return ids;
}

async function removeContainers(ids: string[]) {
  await Promise.all(ids.map((id) => docker.getContainer(id).remove({ force: true }).catch(() => undefined)));
}

/** This process's CPU (% of one core) and RSS growth, and dockerd's CPU, while `run` goes on for SECONDS. */
async function measureHere(name: string, start: () => () => void, roundMs: () => number | null) {
  Bun.gc(true);
  const rssBefore = process.memoryUsage.rss();
  const cpuBefore = process.cpuUsage();
  const dockerdBefore = dockerdPid ? cpuSeconds(dockerdPid) : 0;
  const began = performance.now();
  const stop = start();
  await Bun.sleep(SECONDS * 1000);
  stop();
  const wall = (performance.now() - began) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    name,
    cpuPercent: ((cpu.user + cpu.system) / 1e6 / wall) * 100,
    rssGrowthMb: mb(process.memoryUsage.rss() - rssBefore),
    dockerdPercent: dockerdPid ? ((cpuSeconds(dockerdPid) - dockerdBefore) / wall) * 100 : NaN,
    roundMs: roundMs(),
  };
}

function oneShot() {
  const read = createStatsReader(docker, () => new Set([PROJECT]));
  let last: number | null = null;
  return measureHere(
    "one-shot, every 10 s",
    () => {
      const round = async () => {
        const t = performance.now();
        const readings = await read();
        if (readings.length !== COUNT) console.log(`  (read ${readings.length} of ${COUNT})`);
        last = performance.now() - t;
      };
      void round();
      const timer = setInterval(round, 10_000);
      return () => clearInterval(timer);
    },
    () => last,
  );
}

async function streams(ids: string[]) {
  const open: NodeJS.ReadableStream[] = [];
  let events = 0;
  const result = await measureHere(
    "a stream per container",
    () => {
      for (const id of ids) {
        void docker.getContainer(id).stats({ stream: true }).then((stream) => {
          open.push(stream);
          let buffered = "";
          stream.on("data", (chunk: Buffer) => {
            buffered += chunk.toString();
            let newline: number;
            while ((newline = buffered.indexOf("\n")) >= 0) {
              JSON.parse(buffered.slice(0, newline));
              buffered = buffered.slice(newline + 1);
              events++;
            }
          });
        });
      }
      return () => {
        for (const stream of open) (stream as unknown as { destroy(): void }).destroy();
      };
    },
    () => null,
  );
  console.log(`  (${events} stream readings in ${SECONDS} s)`);
  return result;
}

/** `berth serve --no-edge` on a fresh data dir knowing PROJECT; its CPU and RSS over the last SECONDS after a warm-up. */
async function measureServe(interval: string) {
  const home = mkdtempSync(join(tmpdir(), "bench-metrics-"));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, BERTH_DATA_DIR: join(home, "data"), BERTH_API_LISTEN: `127.0.0.1:${port}`, BERTH_METRICS_INTERVAL: interval };
  const serve = Bun.spawn([binary, "serve", "--no-edge", "--fresh"], { env, stdout: Bun.file(join(home, "serve.log")), stderr: Bun.file(join(home, "serve.err")) });
  try {
    const deadline = Date.now() + 30_000;
    while (!(await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok).catch(() => false))) {
      if (Date.now() > deadline || serve.exitCode !== null) fail(`serve did not start: ${readFileSync(join(home, "serve.err"), "utf8")}`);
      await Bun.sleep(100);
    }
    writeFileSync(join(home, "berth.yaml"), `project: ${PROJECT}\nblocks:\n  w:\n    kind: worker\n    image: ${image}\nenvironments:\n  dev: {}\n`);
    const token = readFileSync(join(home, "data", "admin.token"), "utf8").trim();
    const applied = Bun.spawnSync([binary, "apply", "-f", join(home, "berth.yaml")], { env: { ...env, BERTH_URL: `http://127.0.0.1:${port}`, BERTH_TOKEN: token }, stdout: "pipe", stderr: "pipe" });
    if (applied.exitCode !== 0) fail(`apply failed: ${applied.stderr.toString()}`);
    // Two rounds first: the first sees every container as new and inspects each.
    await Bun.sleep(25_000);
    const cpuBefore = cpuSeconds(serve.pid);
    const rss: number[] = [];
    const began = performance.now();
    while (performance.now() - began < SECONDS * 1000) {
      rss.push(rssMb(serve.pid));
      await Bun.sleep(1000);
    }
    const wall = (performance.now() - began) / 1000;
    const samples = interval === "0s" ? 0 : Number(readFileSync(join(home, "serve.log"), "utf8").includes("metrics: cannot read the engine") ? -1 : 1);
    return { cpuPercent: ((cpuSeconds(serve.pid) - cpuBefore) / wall) * 100, rssMb: Math.max(...rss), rssMedianMb: rss.sort((a, b) => a - b)[rss.length >> 1]!, samples };
  } finally {
    serve.kill("SIGTERM");
    await serve.exited;
    rmSync(home, { recursive: true, force: true });
  }
}

const ids = await startContainers();
// Ctrl-C still removes the containers (serve, a child, gets the signal too and stops).
process.once("SIGINT", () => void removeContainers(ids).then(() => process.exit(130)));
try {
  console.log(`load average at start: ${loadAverage()}`);
  console.log(`\n1. reading the engine's stats of ${COUNT} containers for ${SECONDS} s, in this process`);
  const a = await oneShot();
  const b = await streams(ids);
  console.log("| method | CPU (% of one core) | RSS growth (MB) | dockerd CPU (% of one core) | round (ms) |");
  console.log("|---|---|---|---|---|");
  for (const r of [a, b]) console.log(`| ${r.name} | ${r.cpuPercent.toFixed(2)} | ${r.rssGrowthMb.toFixed(1)} | ${r.dockerdPercent.toFixed(1)} | ${r.roundMs === null ? "-" : r.roundMs.toFixed(0)} |`);

  console.log(`\n2. berth serve --no-edge with ${COUNT} containers of its project, ${SECONDS} s each (after 25 s of warm-up)`);
  const off = await measureServe("0s");
  const on = await measureServe("10s");
  if (on.samples < 0) console.log("  (serve could not read the engine: see its log)");
  console.log("| sampling | CPU (% of one core) | RSS peak (MB) | RSS median (MB) |");
  console.log("|---|---|---|---|");
  console.log(`| off (0s) | ${off.cpuPercent.toFixed(2)} | ${off.rssMb.toFixed(1)} | ${off.rssMedianMb.toFixed(1)} |`);
  console.log(`| on (10s) | ${on.cpuPercent.toFixed(2)} | ${on.rssMb.toFixed(1)} | ${on.rssMedianMb.toFixed(1)} |`);
  const extraCpu = on.cpuPercent - off.cpuPercent;
  const extraRss = on.rssMedianMb - off.rssMedianMb;
  console.log(`\nsampling costs ${extraCpu.toFixed(2)}% of one core (target < 3%: ${verdict(extraCpu < 3)}) and ${extraRss.toFixed(1)} MB RSS (target < 20 MB: ${verdict(extraRss < 20)})`);
  console.log(`load average at end: ${loadAverage()}`);
} finally {
  await removeContainers(ids);
}
