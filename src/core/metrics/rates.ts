import type { BlockSample, HostSample, RouteSample } from "../../ports/metrics-store.ts";
import type { EdgeCounters, HostReading, ReplicaReading } from "../../ports/stats-source.ts";

/** A counter's growth; a smaller reading means it started again (a restarted edge or container). */
const grown = (now: number, before: number) => (now >= before ? now - before : now);

/**
 * Rates of each replica between two readings of the same container. A container seen for the
 * first time has no rate yet and gives no sample; it does from the next round on.
 */
export function blockSamples(previous: ReadonlyMap<string, ReplicaReading>, readings: ReplicaReading[], at: number): BlockSample[] {
  return readings.flatMap((now) => {
    const before = previous.get(now.container);
    if (!before) return [];
    const seconds = (now.readAtMs - before.readAtMs) / 1000;
    if (seconds <= 0) return [];
    const perSecond = (a: number, b: number) => grown(a, b) / seconds;
    return [{
      project: now.project,
      environment: now.environment,
      block: now.block,
      replica: now.replica,
      at,
      // Nanoseconds of CPU per nanosecond of wall time, ×100: percent of one core.
      cpuPercent: (grown(now.cpuNs, before.cpuNs) / (seconds * 1e9)) * 100,
      memoryBytes: now.memoryBytes,
      memoryLimitBytes: now.memoryLimitBytes,
      netRxBps: perSecond(now.netRxBytes, before.netRxBytes),
      netTxBps: perSecond(now.netTxBytes, before.netTxBytes),
      blockReadBps: perSecond(now.blockReadBytes, before.blockReadBytes),
      blockWriteBps: perSecond(now.blockWriteBytes, before.blockWriteBytes),
      restarts: now.restarts,
    }];
  });
}

export const edgeKey = (c: { project: string; environment: string; block: string }) => `${c.project}/${c.environment}/${c.block}`;

/**
 * What the edge counted per block since the previous scrape. The first scrape only sets the
 * baseline; a block that appears later started from zero. Blocks with no request give no row.
 */
export function routeSamples(previous: ReadonlyMap<string, EdgeCounters> | null, counters: EdgeCounters[], at: number, seconds: number): RouteSample[] {
  if (!previous) return [];
  return counters.flatMap((now) => {
    const before = previous.get(edgeKey(now));
    const restarted = before !== undefined && now.byClass.some((v, i) => v < (before.byClass[i] ?? 0));
    const base = before && !restarted ? before : null;
    const byClass = now.byClass.map((v, i) => v - (base?.byClass[i] ?? 0));
    if (byClass.every((v) => v === 0)) return [];
    return [{
      project: now.project,
      environment: now.environment,
      block: now.block,
      at,
      seconds,
      byClass,
      bytes: now.bytes - (base?.bytes ?? 0),
      buckets: now.buckets.map((v, i) => v - (base?.buckets[i] ?? 0)),
      latencySum: now.latencySum - (base?.latencySum ?? 0),
    }];
  });
}

/** Host CPU over the whole machine (0–100) between two readings; memory and disks as read. */
export function hostSample(before: HostReading | null, now: HostReading, at: number): HostSample | null {
  if (!before) return null;
  const total = now.cpuTotal - before.cpuTotal;
  return {
    at,
    cpuPercent: total > 0 ? ((now.cpuBusy - before.cpuBusy) / total) * 100 : 0,
    memoryUsedBytes: now.memoryUsedBytes,
    memoryTotalBytes: now.memoryTotalBytes,
    dataDiskUsedBytes: now.dataDisk.usedBytes,
    dataDiskTotalBytes: now.dataDisk.totalBytes,
    dockerDiskUsedBytes: now.dockerDisk?.usedBytes ?? null,
    dockerDiskTotalBytes: now.dockerDisk?.totalBytes ?? null,
  };
}
