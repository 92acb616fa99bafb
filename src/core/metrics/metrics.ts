import type { ActivityStore, BlockSample, HostSample, MetricsStore, RouteSample } from "../../ports/metrics-store.ts";
import type { ProjectStore } from "../../ports/project-store.ts";
import { histogramQuantile } from "../../lib/latency-buckets.ts";
import { notFound } from "../errors.ts";
import type { LatestReadings } from "./sampler.ts";
import { TIERS, tierFor } from "./retention.ts";

export interface MetricsDeps {
  store: MetricsStore;
  projects: ProjectStore;
  /** Null when sampling is off (`metricsInterval: 0s`). */
  sampler: { latest(): LatestReadings; start(log?: (line: string) => void): () => void } | null;
  activity: ActivityStore;
  intervalMs: number;
  /** Disk use (percent) past which status warns. */
  diskWarnPercent: number;
  now?: () => number;
}

/** A block's traffic over a window, per second; quantiles in milliseconds. */
export interface TrafficFigures {
  requestsPerSecond: number;
  errorsPerSecond: number;
  bytesPerSecond: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface TopRow extends Omit<BlockSample, "project" | "environment"> {
  memoryPercent: number;
  /** Traffic of the block the replica belongs to: the edge counts per block, not per replica. */
  traffic: TrafficFigures | null;
}

const ms = (seconds: number | null) => (seconds === null ? null : Math.round(seconds * 100_000) / 100);

/** Sums route rows over `seconds` of wall time (absent rows are intervals without requests). */
export function traffic(rows: RouteSample[], seconds: number): TrafficFigures {
  const byClass = [0, 0, 0, 0, 0];
  const buckets: number[] = [];
  let bytes = 0;
  for (const row of rows) {
    row.byClass.forEach((v, i) => (byClass[i]! += v));
    row.buckets.forEach((v, i) => (buckets[i] = (buckets[i] ?? 0) + v));
    bytes += row.bytes;
  }
  const requests = byClass.reduce((a, b) => a + b, 0);
  return {
    requestsPerSecond: requests / seconds,
    errorsPerSecond: byClass[4]! / seconds,
    bytesPerSecond: bytes / seconds,
    p50Ms: ms(histogramQuantile(0.5, buckets)),
    p95Ms: ms(histogramQuantile(0.95, buckets)),
    p99Ms: ms(histogramQuantile(0.99, buckets)),
  };
}

const percent = (used: number | null, total: number | null) => (used === null || !total ? null : (used / total) * 100);

export function createMetrics(deps: MetricsDeps) {
  const now = () => Math.floor((deps.now ?? Date.now)() / 1000);
  const interval = Math.max(1, Math.round(deps.intervalMs / 1000));

  function checkEnvironment(project: string, environment: string) {
    const file = deps.projects.loadProject(project);
    if (!file) throw notFound(`project "${project}"`);
    if (!file.environments[environment]) throw notFound(`environment "${environment}" in project "${project}"`);
    return file;
  }

  const latest = (): LatestReadings => deps.sampler?.latest() ?? { replicas: [], edge: null, host: null };
  const latestHost = (): HostSample | null => latest().host ?? deps.store.host(0, now() - 3 * interval).at(-1) ?? null;

  return {
    /** The newest sample of each running replica, with its block's traffic over the last three intervals. */
    top(project: string, environment: string) {
      checkEnvironment(project, environment);
      const window = 3 * interval;
      const since = now() - window;
      const rows = deps.store.blocks({ project, environment, tier: 0, since });
      const newest = new Map<string, BlockSample>();
      for (const row of rows) newest.set(`${row.block}/${row.replica}`, row);
      const lastAt = Math.max(0, ...[...newest.values()].map((r) => r.at));
      const routes = deps.store.routes({ project, environment, tier: 0, since });
      const byBlock = Map.groupBy(routes, (r) => r.block);
      const replicas: TopRow[] = [...newest.values()]
        // Replicas gone since the last round (a redeploy) drop out instead of lingering a window long.
        .filter((r) => r.at >= lastAt - interval)
        .sort((a, b) => a.block.localeCompare(b.block) || a.replica - b.replica)
        .map(({ project: _p, environment: _e, ...r }) => ({
          ...r,
          memoryPercent: r.memoryLimitBytes > 0 ? (r.memoryBytes / r.memoryLimitBytes) * 100 : 0,
          traffic: traffic(byBlock.get(r.block) ?? [], window),
        }));
      return { project, environment, at: lastAt || null, intervalSeconds: interval, replicas };
    },

    /** A block's series since `sinceSeconds` ago, from the finest tier that reaches that far. */
    series(project: string, environment: string, block: string, sinceSeconds: number) {
      const file = checkEnvironment(project, environment);
      if (!file.blocks[block]) throw notFound(`block "${block}" in project "${project}"`);
      const tier = tierFor(sinceSeconds);
      const since = now() - sinceSeconds;
      const step = tier === 0 ? interval : TIERS[tier].bucketSeconds;
      const replicas = deps.store.blocks({ project, environment, block, tier, since }).map(({ project: _p, environment: _e, block: _b, ...r }) => r);
      const routes = deps.store.routes({ project, environment, block, tier, since }).map((r) => ({ at: r.at, ...traffic([r], Math.max(step, r.seconds)) }));
      return { project, environment, block, since, stepSeconds: step, replicas, traffic: routes };
    },

    /** The machine's newest figures, with disk use in percent. */
    machine() {
      const host = latestHost();
      if (!host) return null;
      return {
        ...host,
        memoryPercent: percent(host.memoryUsedBytes, host.memoryTotalBytes),
        dataDiskPercent: percent(host.dataDiskUsedBytes, host.dataDiskTotalBytes),
        dockerDiskPercent: percent(host.dockerDiskUsedBytes, host.dockerDiskTotalBytes),
      };
    },

    /** Lines for `berth status`: disks past the threshold. */
    warnings(): string[] {
      const host = this.machine();
      if (!host) return [];
      const lines: string[] = [];
      const limit = deps.diskWarnPercent;
      if ((host.dataDiskPercent ?? 0) >= limit) lines.push(`disk: the data dir's file system is ${host.dataDiskPercent!.toFixed(0)}% full (warning from ${limit}%)`);
      if ((host.dockerDiskPercent ?? 0) >= limit) lines.push(`disk: Docker's root file system is ${host.dockerDiskPercent!.toFixed(0)}% full (warning from ${limit}%)`);
      return lines;
    },

    /** The last round's raw counters and Berth's own work, for the Prometheus endpoint. */
    latest,
    activity: () => deps.activity.activity(),
    /** Starts sampling (serve calls it); returns the stop function. */
    start: (log?: (line: string) => void) => deps.sampler?.start(log) ?? (() => {}),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
