// Prints what `berth deploy PROJECT ENV --wait` costs beyond what it waits for, with the compiled
// binary on the real Docker engine and a website built from a local git repo:
//   no-op     nothing changed: the build is a cache hit and the container stays, so the whole wall
//             time is Berth's own work (CLI, API, git ref lookup, cache check, release, reconcile);
//   replace   a variable changed: the container is replaced, and the runtime's start + health
//             check, drain and stop (timed from the rollout's log lines) are subtracted.
// Each log line is timestamped as it reaches this process. Median of N runs; target < 1 s.
//
//   bun scripts/bench-deploy-overhead.ts [--runs 5]
// Needs the test environment: bash scripts/test-env/setup.sh
import { parseArgs } from "node:util";
import { BLOCK, ENVIRONMENT, startSite, type Site, type TimedRun } from "./bench/berth-site.ts";
import { median, verdict } from "./bench/stats.ts";
import { BINARY, fail } from "./bench/tools.ts";

const { values: flags } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const RUNS = Number(flags.runs);
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 50) fail("--runs must be a whole number from 1 to 50");

/** One deploy cut into phases (ms); `waited` is the runtime's share, everything else is Berth's. */
interface Phases {
  wall: number;
  toFirstLine: number;
  gitRef: number;
  prepare: number;
  rollout: number;
  edgeSync: number;
  exit: number;
  startHealth: number;
  drain: number;
  stop: number;
  waited: number;
  overhead: number;
}

function phases(run: TimedRun, replaced: boolean): Phases {
  const at = (pattern: RegExp, what: string) => {
    const line = run.lines.find((l) => pattern.test(l.text));
    if (!line) throw new Error(`no "${what}" line in the deploy's log (has its wording changed?):\n${run.lines.map((l) => l.text).join("\n")}`);
    return line.at;
  };
  const first = run.lines[0]?.at ?? run.ms;
  const buildStarted = at(new RegExp(`^${BLOCK} \\| build #\\d+:`), "build #N:");
  const commit = at(new RegExp(`^${BLOCK} \\| commit `), "commit");
  const rolling = at(/^rolling out /, "rolling out");
  const end = at(/^release \d+ deployed$/, "release N deployed");
  let startHealth = 0;
  let edgeSync = 0;
  let drain = 0;
  let stop = 0;
  if (replaced) {
    const starting = at(new RegExp(`^${BLOCK}: starting \\d+ replica`), "starting N replica(s)");
    const healthy = at(new RegExp(`^${BLOCK}: healthy on `), "healthy on");
    const draining = at(new RegExp(`^${BLOCK}: draining old replica`), "draining old replica(s)");
    const stopping = at(new RegExp(`^${BLOCK}: stopping \\d+ old replica`), "stopping N old replica(s)");
    startHealth = healthy - starting;
    // Routes written, then a fixed sleep so the edge (polling the DB) has switched before the old replica goes.
    edgeSync = draining - healthy;
    drain = stopping - draining;
    stop = end - stopping;
  }
  const gitRef = commit - buildStarted;
  const waited = startHealth + drain + stop;
  return {
    wall: run.ms,
    toFirstLine: first,
    gitRef,
    prepare: rolling - first - gitRef,
    rollout: end - rolling - waited - edgeSync,
    edgeSync,
    exit: run.ms - end,
    startHealth,
    drain,
    stop,
    waited,
    overhead: run.ms - waited,
  };
}

async function measure(site: Site, label: string, replaced: boolean, before: (run: number) => Promise<void>) {
  const results: Phases[] = [];
  for (let i = 0; i < RUNS; i++) {
    await before(i);
    const run = await site.deploy();
    const replacedNow = run.lines.some((l) => l.text.startsWith(`${BLOCK}: starting `));
    if (replacedNow !== replaced) throw new Error(`${label}: the deploy ${replacedNow ? "replaced" : "did not replace"} the container:\n${run.lines.map((l) => l.text).join("\n")}`);
    results.push(phases(run, replaced));
  }
  const m = (key: keyof Phases) => median(results.map((r) => r[key]));
  return { label, m, results, overheads: results.map((r) => r.overhead) };
}

/** Median wall time of the compiled binary doing nothing but print its help. */
function cliStartMs(): number {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    Bun.spawnSync([BINARY, "--help"], { stdout: "ignore", stderr: "ignore" });
    times.push(performance.now() - started);
  }
  return median(times);
}

let site: Site | undefined;
try {
  site = await startSite("overhead");
  const s = site;
  await s.deploy();
  // Not counted: the first redeploy after the initial one warms caches on both sides.
  await s.deploy();

  const noop = await measure(s, "no-op", false, async () => {});
  const replace = await measure(s, "replace", true, async (i) => {
    await s.run(["vars", "set", s.project, ENVIRONMENT, BLOCK, `BENCH_RUN=${i}`]);
  });

  const ms = (n: number) => n.toFixed(0).padStart(9);
  console.log(`berth deploy ${s.project} ${ENVIRONMENT} --wait, one website block from a local git repo; median of ${RUNS} runs, ms`);
  console.log(`${"".padEnd(46)}${"no-op".padStart(9)}${"replace".padStart(9)}`);
  const row = (name: string, key: Parameters<typeof noop.m>[0]) => console.log(`${name.padEnd(46)}${ms(noop.m(key))}${ms(replace.m(key))}`);
  row("wall time", "wall");
  console.log("waited for the runtime");
  row("  container start + health check", "startHealth");
  row("  drain of the old replica", "drain");
  row("  stop of the old replica", "stop");
  console.log("Berth's own work");
  row("  CLI start, API call, until the first log line", "toFirstLine");
  row("  git: resolve the branch on the remote", "gitRef");
  row("  build cache hit, release frozen", "prepare");
  row("  reconcile with the engine, routes", "rollout");
  row("  fixed wait for the edge to follow the route", "edgeSync");
  row("  end of the log stream to exit", "exit");
  row("overhead (wall time - waited for the runtime)", "overhead");
  console.log(`for scale: the CLI process alone (\`berth --help\`) takes ${cliStartMs().toFixed(0)} ms`);
  console.log(`overhead per run, no-op: ${noop.overheads.map((n) => n.toFixed(0)).join(", ")}; replace: ${replace.overheads.map((n) => n.toFixed(0)).join(", ")}`);
  const noopOverhead = noop.m("overhead");
  const replaceOverhead = replace.m("overhead");
  const withoutSync = median(replace.results.map((r) => r.overhead - r.edgeSync));
  console.log(
    `target < 1000 ms: no-op ${verdict(noopOverhead < 1000)}; replace ${verdict(replaceOverhead < 1000)}` +
      (replaceOverhead >= 1000 ? ` (${withoutSync.toFixed(0)} ms without the fixed edge wait)` : ""),
  );
} catch (error) {
  console.error(`bench: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await site?.cleanup();
}
