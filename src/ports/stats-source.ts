/** One running replica's cumulative counters as the engine reports them at `readAtMs`. */
export interface ReplicaReading {
  project: string;
  environment: string;
  block: string;
  replica: number;
  /** The container's id: counters restart with a new container. */
  container: string;
  readAtMs: number;
  /** Nanoseconds of CPU the container used so far. */
  cpuNs: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  netRxBytes: number;
  netTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
  restarts: number;
}

/** Cumulative per-block counters from the edge (reset when the edge restarts). */
export interface EdgeCounters {
  project: string;
  environment: string;
  block: string;
  byClass: number[];
  bytes: number;
  /** Per bucket, not cumulative, the last one +Inf. */
  buckets: number[];
  latencySum: number;
}

export interface HostReading {
  readAtMs: number;
  /** Cumulative CPU jiffies: busy and total, summed over cores. */
  cpuBusy: number;
  cpuTotal: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
  dataDisk: { usedBytes: number; totalBytes: number };
  dockerDisk: { usedBytes: number; totalBytes: number } | null;
}

/** Where the sampler reads from: the engine, the edge's metrics listener, the machine. */
export interface StatsSources {
  /** Every running Berth-managed replica. */
  replicas(): Promise<ReplicaReading[]>;
  /** Null when the edge is not reachable (not started, restarting). */
  edge(): Promise<EdgeCounters[] | null>;
  host(): Promise<HostReading>;
}
