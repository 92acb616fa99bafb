import type { HostSample, MetricsStore } from "../../ports/metrics-store.ts";
import type { EdgeCounters, HostReading, ReplicaReading, StatsSources } from "../../ports/stats-source.ts";
import { blockSamples, edgeKey, hostSample, routeSamples } from "./rates.ts";
import { TIERS } from "./retention.ts";

export interface SamplerDeps {
  sources: StatsSources;
  store: MetricsStore;
  intervalMs: number;
  now?: () => number;
  /** Each new machine sample, for the disk warning (see disk-watch.ts). */
  onHost?: (sample: HostSample, log: (line: string) => void) => void;
}

/** The last round's raw readings, for Prometheus (which wants counters, not stored rates). */
export interface LatestReadings {
  replicas: ReplicaReading[];
  edge: EdgeCounters[] | null;
  host: HostSample | null;
}

/**
 * Every interval: one stats read of each running replica, one scrape of the edge, one look at
 * the machine; rates against the previous round go to tier 0, then the finished minutes and
 * ten-minute spans are rolled up (idempotently: a bucket is recomputed whole from the tier
 * below) and each tier is pruned past its retention.
 */
export function createSampler(deps: SamplerDeps) {
  const now = deps.now ?? Date.now;
  let log: (line: string) => void = () => {};
  let replicas = new Map<string, ReplicaReading>();
  let edge: Map<string, EdgeCounters> | null = null;
  let edgeReadAt = 0;
  let host: HostReading | null = null;
  let latest: LatestReadings = { replicas: [], edge: null, host: null };
  let lastMinute = 0;
  let running: Promise<void> | null = null;
  const failures = new Map<string, string>();

  /** A source that fails is said once per distinct message, not every round. */
  const settle = <T>(what: string, result: PromiseSettledResult<T>): T | null => {
    if (result.status === "fulfilled") {
      failures.delete(what);
      return result.value;
    }
    const message = (result.reason as Error)?.message?.split("\n")[0] ?? String(result.reason);
    if (failures.get(what) !== message) log(`metrics: cannot read ${what}: ${message}`);
    failures.set(what, message);
    return null;
  };

  async function round() {
    const [replicaResult, edgeResult, hostResult] = await Promise.allSettled([deps.sources.replicas(), deps.sources.edge(), deps.sources.host()]);
    const ms = now();
    const at = Math.floor(ms / 1000);
    const readings = settle("the engine's stats", replicaResult);
    const counters = settle("the edge's metrics", edgeResult);
    const machine = settle("the machine", hostResult);

    const blocks = readings ? blockSamples(replicas, readings, at) : [];
    if (readings) replicas = new Map(readings.map((r) => [r.container, r]));
    const routes = counters ? routeSamples(edge, counters, at, edgeReadAt ? (ms - edgeReadAt) / 1000 : deps.intervalMs / 1000) : [];
    // An unreachable edge (restarting) loses the baseline: its counters start again anyway.
    edge = counters ? new Map(counters.map((c) => [edgeKey(c), c])) : null;
    edgeReadAt = counters ? ms : 0;
    const hostRow = machine ? hostSample(host, machine, at) : null;
    if (machine) host = machine;
    latest = { replicas: readings ?? [], edge: counters, host: hostRow ?? latest.host };

    deps.store.write({ blocks, routes, host: hostRow });
    if (hostRow) deps.onHost?.(hostRow, log);
    maintain(at);
  }

  function maintain(at: number) {
    deps.store.prune(0, at - TIERS[0].keepSeconds);
    const minute = at - (at % 60);
    if (minute === lastMinute) return;
    // Re-done from two minutes back: a round that ran late or a restart leaves no minute half-made.
    deps.store.rollup(1, 60, (lastMinute || minute - 120) - 60, minute);
    const tenMinutes = at - (at % 600);
    deps.store.rollup(2, 600, tenMinutes - 1200, tenMinutes);
    deps.store.prune(1, at - TIERS[1].keepSeconds);
    deps.store.prune(2, at - TIERS[2].keepSeconds);
    lastMinute = minute;
  }

  /** One round now; a round still running is waited for instead of overlapped. */
  const tick = (): Promise<void> => {
    running ??= round()
      .catch((error: Error) => log(`metrics: sampling failed: ${error.message.split("\n")[0]}`))
      .finally(() => {
        running = null;
      });
    return running;
  };

  return {
    tick,
    latest: () => latest,
    /** Samples every interval until the returned function is called. */
    start(logTo: (line: string) => void = () => {}): () => void {
      log = logTo;
      const timer = setInterval(() => void tick(), deps.intervalMs);
      void tick();
      return () => clearInterval(timer);
    },
  };
}

export type Sampler = ReturnType<typeof createSampler>;
