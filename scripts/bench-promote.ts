// Prints the platform time of `berth promote` for 3 blocks whose images are present (a website,
// a gateway microservice and a service with a volume): the compiled binary's `berth serve` and
// edge on the real Docker engine. dev and prod run different images of each block, so every
// promote replaces all 3 blocks; a rollback between runs puts prod back. Platform time is the
// release's created → finished span on the server, which includes the rollout's own waits
// (health checks, the edge sync, draining and the crash watch, at the test timings printed).
// Target: under 5 s.
//
//   bun scripts/bench-promote.ts [--runs 3] [--lines]   (--lines: each rollout line with its time)
// Needs the test environment: bash scripts/test-env/setup.sh
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BINARY, startServe, TEST_TIMINGS } from "../test/support/binary.ts";
import { loadTestEnv } from "../test/support/test-env.ts";
import { verdict } from "./bench/stats.ts";
import { berthOk, cleanUpOnInterrupt, dockerLines, removeProjectObjects, stopServeAndEdge } from "./bench/project-objects.ts";
import { fail, requireBinary, requireTestEnv } from "./bench/tools.ts";

const { values: flags } = parseArgs({ options: { runs: { type: "string", default: "3" }, lines: { type: "boolean", default: false } } });
const RUNS = Number(flags.runs);
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 20) fail("--runs must be a whole number from 1 to 20");
const TARGET_MS = 5000;

requireTestEnv();
requireBinary();
const busybox = loadTestEnv().images.busybox;
const project = `benchpromote${crypto.randomUUID().slice(0, 6)}`;
const tags = ["a", "b"].map((t) => `berth-bench-promote-${project}:${t}`);


// Two images with different ids, so dev and prod differ in every block.
for (const tag of tags) {
  const built = Bun.spawnSync(["docker", "build", "-q", "-t", tag, "-"], { stdin: new TextEncoder().encode(`FROM ${busybox}\nLABEL bench.variant=${tag}\n`), stdout: "pipe", stderr: "pipe" });
  if (built.exitCode !== 0) fail(`docker build ${tag}: ${built.stderr.toString().trim()}`);
}

const server = await startServe([]);
let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  await stopServeAndEdge(server);
  removeProjectObjects(project, ["dev", "prod"]);
  dockerLines(["rmi", "-f", ...tags]);
  rmSync(server.home, { recursive: true, force: true });
}
cleanUpOnInterrupt(cleanup);

const run = (args: string[]) => berthOk(server, args);

/** The binary with argv, each output line handed over as it arrives. */
async function timed(args: string[], onLine: (line: string) => void): Promise<void> {
  const proc = Bun.spawn([BINARY, ...args, "--config", join(server.home, "config.yaml")], { env: server.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const decoder = new TextDecoder();
  let partial = "";
  const reader = proc.stdout.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const parts = (partial + decoder.decode(value, { stream: true })).split("\n");
    partial = parts.pop()!;
    for (const line of parts) onLine(line);
  }
  if ((await proc.exited) !== 0) throw new Error(`berth ${args.join(" ")} failed: ${(await new Response(proc.stderr).text()).trim()}`);
}

const blocks = (tag: string) => `
      web: { image: "${tag}" }
      api: { image: "${tag}" }
      data: { image: "${tag}" }`;

try {
  const file = join(server.home, "berth.yaml");
  writeFileSync(
    file,
    `project: ${project}
blocks:
  web:
    kind: website
    image: ${tags[0]}
    command: [sh, -c, "mkdir -p /www && echo web > /www/index.html && exec httpd -f -p 8080 -h /www"]
    port: 8080
  api:
    kind: microservice
    image: ${tags[0]}
    command: [sh, -c, "mkdir -p /srv && echo api > /srv/index.html && exec httpd -f -p 8000 -h /srv"]
    port: 8000
  data:
    kind: service
    image: ${tags[0]}
    command: [sh, -c, "mkdir -p /data && exec httpd -f -p 6379 -h /data"]
    port: 6379
    volumes: { /data: 100Mi }
environments:
  dev:
    blocks:${blocks(tags[1]!)}
  prod: {}
`,
  );
  await run(["apply", "-f", file]);
  await run(["deploy", project, "dev"]);
  await run(["deploy", project, "prod"]);
  console.log(`3 blocks (website, gateway microservice, service with a volume); timings ${JSON.stringify(TEST_TIMINGS)}`);
  console.log(`${"run".padEnd(6)}${"platform s".padStart(11)}${"cli s".padStart(8)}  release`);
  const spans: number[] = [];
  for (let i = 1; i <= RUNS; i++) {
    const started = performance.now();
    await timed(["promote", project, "dev", "prod"], (line) => flags.lines && console.log(`      ${((performance.now() - started) / 1000).toFixed(2).padStart(6)} ${line}`));
    const cli = performance.now() - started;
    const latest = (JSON.parse(await run(["releases", project, "prod", "--json"])) as { number: number; source: string; createdAt: string; finishedAt: string }[])[0]!;
    const span = Date.parse(latest.finishedAt) - Date.parse(latest.createdAt);
    spans.push(span);
    console.log(`${String(i).padEnd(6)}${(span / 1000).toFixed(2).padStart(11)}${(cli / 1000).toFixed(2).padStart(8)}  ${latest.number} (${latest.source})`);
    // Back to prod's own images, so the next promote replaces every block again.
    await run(["rollback", project, "prod"]);
  }
  const worst = Math.max(...spans);
  console.log(`slowest: ${(worst / 1000).toFixed(2)} s; target: under ${TARGET_MS / 1000} s ${verdict(worst < TARGET_MS)}`);
} catch (error) {
  console.error(`bench: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
