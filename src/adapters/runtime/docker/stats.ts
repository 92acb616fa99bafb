import type Dockerode from "dockerode";
import type { ReplicaReading } from "../../../ports/stats-source.ts";
import { isNotFound, toBerthError } from "../../docker/engine-errors.ts";
import { LABEL } from "./labels.ts";

/** The parts of the engine's stats answer read here (cgroup v1 and v2 spell some differently). */
interface EngineStats {
  read: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes: number; tx_bytes: number }>;
  blkio_stats?: { io_service_bytes_recursive?: { op: string; value: number }[] | null };
}

/** Stats calls in flight at once: enough to finish quickly, few enough not to crowd the engine. */
const PARALLEL = 8;

/**
 * Memory as `docker stats` shows it: usage minus the page cache the kernel can drop at once
 * (inactive_file on cgroup v2, total_inactive_file on v1).
 */
export function memoryInUse(memory: EngineStats["memory_stats"]): number {
  const usage = memory?.usage ?? 0;
  const inactive = memory?.stats?.total_inactive_file ?? memory?.stats?.inactive_file ?? 0;
  return inactive < usage ? usage - inactive : usage;
}

export function toReading(labels: Record<string, string>, container: string, stats: EngineStats, restarts: number): ReplicaReading {
  const io = stats.blkio_stats?.io_service_bytes_recursive ?? [];
  const ioSum = (op: string) => io.filter((e) => e.op.toLowerCase() === op).reduce((a, e) => a + e.value, 0);
  const networks = Object.values(stats.networks ?? {});
  return {
    project: labels[LABEL.project] ?? "",
    environment: labels[LABEL.env] ?? "",
    block: labels[LABEL.block] ?? "",
    replica: Number(labels[LABEL.replica] ?? 0),
    container,
    readAtMs: Date.parse(stats.read) || Date.now(),
    cpuNs: stats.cpu_stats?.cpu_usage?.total_usage ?? 0,
    memoryBytes: memoryInUse(stats.memory_stats),
    memoryLimitBytes: stats.memory_stats?.limit ?? 0,
    netRxBytes: networks.reduce((a, n) => a + n.rx_bytes, 0),
    netTxBytes: networks.reduce((a, n) => a + n.tx_bytes, 0),
    blockReadBytes: ioSum("read"),
    blockWriteBytes: ioSum("write"),
    restarts,
  };
}

async function pool<T, R>(items: T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}

/**
 * Reads every running Berth container once per call: one `one-shot` stats request each (the
 * engine answers at once instead of waiting a second for a second reading; rates come from the
 * caller's previous round). Restart counts need an inspect, made only when a container is new
 * or its CPU counter went back (the engine restarted it). Only containers of `projects` (this
 * state's) are read.
 */
export function createStatsReader(docker: Dockerode, projects: () => ReadonlySet<string>) {
  const known = new Map<string, { cpuNs: number; restarts: number }>();
  return async function readReplicas(): Promise<ReplicaReading[]> {
    const all = await docker.listContainers({ filters: { label: [`${LABEL.managed}=true`], status: ["running"] } }).catch((error: unknown) => {
      throw toBerthError(error, "listing Berth's containers");
    });
    // Only this install's projects: labelled containers of another state on the same engine are not ours to watch.
    const ours = projects();
    const listed = all.filter((info) => ours.has(info.Labels?.[LABEL.project] ?? ""));
    const readings = await pool(listed, PARALLEL, async (info) => {
      const container = docker.getContainer(info.Id);
      try {
        const stats = (await container.stats({ stream: false, "one-shot": true } as { stream: false })) as unknown as EngineStats;
        const cpuNs = stats.cpu_stats?.cpu_usage?.total_usage ?? 0;
        let seen = known.get(info.Id);
        if (!seen || cpuNs < seen.cpuNs) seen = { cpuNs, restarts: (await container.inspect()).RestartCount };
        known.set(info.Id, { ...seen, cpuNs });
        return toReading(info.Labels ?? {}, info.Id, stats, seen.restarts);
      } catch (error) {
        // Gone between the list and the read: a replica replaced by a deploy.
        if (isNotFound(error)) return null;
        throw toBerthError(error, `reading stats of container ${info.Id.slice(0, 12)}`);
      }
    });
    const running = new Set(listed.map((i) => i.Id));
    for (const id of known.keys()) if (!running.has(id)) known.delete(id);
    return readings.filter((r): r is ReplicaReading => r !== null);
  };
}
