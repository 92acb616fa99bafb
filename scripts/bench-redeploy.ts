// Prints how many requests fail while a website is redeployed under continuous load: the compiled
// binary's `berth serve` and edge on the real Docker engine, a website built from a local git repo;
// keep-alive workers GET it through the edge while a change is committed and `berth deploy --wait`
// runs, 3 times. A failure is a non-200 answer or a connection error. Target: 0 failed.
//
//   bun scripts/bench-redeploy.ts [--redeploys 3] [--workers 8]
// Needs the test environment: bash scripts/test-env/setup.sh
import { parseArgs } from "node:util";
import { startSite, type Site } from "./bench/berth-site.ts";
import { verdict } from "./bench/stats.ts";
import { fail } from "./bench/tools.ts";

const { values: flags } = parseArgs({ options: { redeploys: { type: "string", default: "3" }, workers: { type: "string", default: "8" } } });
const REDEPLOYS = Number(flags.redeploys);
const WORKERS = Number(flags.workers);
if (!Number.isInteger(REDEPLOYS) || REDEPLOYS < 1 || REDEPLOYS > 20) fail("--redeploys must be a whole number from 1 to 20");
if (!Number.isInteger(WORKERS) || WORKERS < 1 || WORKERS > 64) fail("--workers must be a whole number from 1 to 64");
/** Bounds on one phase of load, whatever happens to the deploy. */
const PHASE_LIMIT_MS = 240_000;
const PHASE_LIMIT_REQUESTS = 5_000_000;
/** Load keeps running this long after the deploy returns: the old replicas are gone by then. */
const TAIL_MS = 1000;

interface Phase {
  sent: number;
  failed: number;
  reasons: Map<string, number>;
  bodies: Set<string>;
}

/** Keep-alive GETs from `WORKERS` loops until `done` resolves (plus the tail) or a bound is hit. */
async function underLoad<T>(site: Site, work: () => Promise<T>): Promise<{ phase: Phase; result: T }> {
  const phase: Phase = { sent: 0, failed: 0, reasons: new Map(), bodies: new Set() };
  const started = Date.now();
  let stop = false;
  const failure = (reason: string) => {
    phase.failed++;
    phase.reasons.set(reason, (phase.reasons.get(reason) ?? 0) + 1);
  };
  const worker = async () => {
    while (!stop && phase.sent < PHASE_LIMIT_REQUESTS && Date.now() - started < PHASE_LIMIT_MS) {
      phase.sent++;
      try {
        const res = await site.get({ signal: AbortSignal.timeout(10_000) });
        const body = await res.text();
        if (res.status !== 200) failure(`HTTP ${res.status}: ${body.trim().slice(0, 80)}`);
        else phase.bodies.add(body.trim());
      } catch (error) {
        failure((error as { code?: string }).code ?? (error as Error).name);
      }
    }
  };
  const workers = Array.from({ length: WORKERS }, worker);
  try {
    const result = await work();
    await Bun.sleep(TAIL_MS);
    return { phase, result };
  } finally {
    stop = true;
    await Promise.all(workers);
  }
}

let site: Site | undefined;
try {
  site = await startSite("redeploy");
  console.log(`website ${site.host} behind the edge at ${site.server.edgeUrl}; ${WORKERS} keep-alive workers; ${REDEPLOYS} redeploy(s) of a changed commit`);
  await site.deploy();
  const first = await site.get();
  if (first.status !== 200 || (await first.text()) !== "v0\n") throw new Error(`after the first deploy the site does not answer "v0" through the edge (HTTP ${first.status})`);

  let sent = 0;
  let failed = 0;
  console.log(`${"redeploy".padEnd(10)}${"deploy s".padStart(9)}${"sent".padStart(9)}${"failed".padStart(8)}${"req/s".padStart(8)}  versions seen`);
  for (let i = 1; i <= REDEPLOYS; i++) {
    site.repo.commit({ "index.html": `v${i}\n` }, `v${i}`);
    const { phase, result } = await underLoad(site, () => site!.deploy());
    sent += phase.sent;
    failed += phase.failed;
    const seconds = result.ms / 1000;
    console.log(`${String(i).padEnd(10)}${seconds.toFixed(1).padStart(9)}${String(phase.sent).padStart(9)}${String(phase.failed).padStart(8)}${(phase.sent / (seconds + TAIL_MS / 1000)).toFixed(0).padStart(8)}  ${[...phase.bodies].sort().join(", ")}`);
    for (const [reason, count] of phase.reasons) console.log(`           ${count} × ${reason}`);
    if (!phase.bodies.has(`v${i}`)) console.log(`           the new version v${i} was never served`);
  }
  console.log(`total: ${sent} requests, ${failed} failed (${((failed / Math.max(sent, 1)) * 100).toFixed(3)}%)`);
  console.log(`target: 0 failed ${verdict(failed === 0)}`);
} catch (error) {
  console.error(`bench: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await site?.cleanup();
}
