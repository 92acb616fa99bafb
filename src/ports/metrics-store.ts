/** Storage of resource and traffic samples, by tier: 0 raw, 1 one-minute, 2 ten-minute rollups. */
export type Tier = 0 | 1 | 2;

export interface BlockSample {
  project: string;
  environment: string;
  block: string;
  replica: number;
  /** Start of the interval, seconds since the epoch. */
  at: number;
  /** Percent of one core (200 = two cores busy). */
  cpuPercent: number;
  memoryBytes: number;
  /** The container's memory limit (the host's memory when it has none). */
  memoryLimitBytes: number;
  netRxBps: number;
  netTxBps: number;
  blockReadBps: number;
  blockWriteBps: number;
  /** Restarts the engine made of this replica's container so far. */
  restarts: number;
}

/** What the edge counted for one block within an interval. */
export interface RouteSample {
  project: string;
  environment: string;
  block: string;
  at: number;
  /** Seconds the counts cover. */
  seconds: number;
  /** Requests per status class, 1xx…5xx. */
  byClass: number[];
  bytes: number;
  /** Requests per latency bucket (not cumulative), the edge's bounds plus +Inf. */
  buckets: number[];
  latencySum: number;
}

export interface HostSample {
  at: number;
  cpuPercent: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
  dataDiskUsedBytes: number;
  dataDiskTotalBytes: number;
  /** Null when Docker's root is not on this machine's file system (a remote engine). */
  dockerDiskUsedBytes: number | null;
  dockerDiskTotalBytes: number | null;
}

export interface SeriesQuery {
  project: string;
  environment: string;
  block?: string;
  tier: Tier;
  /** Seconds since the epoch, inclusive. */
  since: number;
}

export interface MetricsStore {
  /** One sampling round, written in one transaction. */
  write(round: { blocks: BlockSample[]; routes: RouteSample[]; host: HostSample | null }): void;
  /** Replaces the rollups of tier `to` for buckets of `bucketSeconds` in [from, until) from tier `to - 1`. */
  rollup(to: 1 | 2, bucketSeconds: number, from: number, until: number): void;
  /** Drops rows of a tier older than `before`. */
  prune(tier: Tier, before: number): void;
  blocks(query: SeriesQuery): BlockSample[];
  routes(query: SeriesQuery): RouteSample[];
  host(tier: Tier, since: number): HostSample[];
  /** Rows per table, for the bounded-size check and the docs' figures. */
  rowCounts(): { blocks: number; routes: number; host: number };
}

/** Counts by status and the durations of finished ones (seconds), read from the state. */
export interface ActivityKind {
  byStatus: Record<string, number>;
  durations: number[];
}

/** Berth's own work, for Prometheus: builds and deploys (releases). */
export interface ActivityStore {
  activity(): { builds: ActivityKind; deploys: ActivityKind };
}
