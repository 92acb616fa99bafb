import { Registry } from "prom-client";
import type { Metrics } from "../core/metrics/metrics.ts";
import { LATENCY_BUCKETS } from "../lib/latency-buckets.ts";

type Labels = Record<string, string | number>;
interface Value {
  labels: Labels;
  value: number;
  metricName?: string;
}

/** Bounds (seconds) of the build and deploy duration histograms: builds take seconds to an hour. */
const DURATION_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/** Cumulative bucket lines plus _sum and _count, as the text format wants a histogram. */
function histogramValues(name: string, labels: Labels, bounds: readonly number[], perBucket: number[], sum: number): Value[] {
  let cumulative = 0;
  const lines = [...bounds, "+Inf" as const].map((le, i) => {
    cumulative += perBucket[i] ?? 0;
    return { metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulative };
  });
  return [...lines, { metricName: `${name}_sum`, labels, value: sum }, { metricName: `${name}_count`, labels, value: cumulative }];
}

function durationHistogram(name: string, durations: number[]): Value[] {
  const perBucket = new Array<number>(DURATION_BUCKETS.length + 1).fill(0);
  for (const d of durations) {
    const i = DURATION_BUCKETS.findIndex((le) => d <= le);
    perBucket[i === -1 ? DURATION_BUCKETS.length : i]! += 1;
  }
  return histogramValues(name, {}, DURATION_BUCKETS, perBucket, durations.reduce((a, b) => a + b, 0));
}

/** What one scrape may see: the projects it has a role on, and whether it sees install-wide series. */
interface ScrapeView {
  sees: (project: string) => boolean;
  install: boolean;
}

/**
 * Berth's /metrics: its own work (builds, deploys, edge restarts), every running replica's
 * counters and the edge's per-block figures as of the last sampling round, and the machine.
 * Everything is read when scraped; nothing is counted twice between scrapes.
 */
export function createPrometheus(metrics: Metrics, health?: () => Record<string, unknown>, certificates?: () => { host: string; notAfter: string | null }[]) {
  const registry = new Registry();
  // Set for each scrape: who is scraping sees their projects' series, and install-wide ones only with a role on the install.
  let view: ScrapeView = { sees: () => true, install: true };
  let queue: Promise<unknown> = Promise.resolve();
  const installWide = (values: () => Value[]) => () => (view.install ? values() : []);
  const family = (name: string, help: string, type: "counter" | "gauge" | "histogram", values: () => Value[]) =>
    // The registry only needs a name and get(), as in src/edge/metrics.ts.
    registry.registerMetric({ name, get: () => ({ name, help, type, aggregator: "sum", values: values() }) } as never);

  let activity: ReturnType<Metrics["activity"]> | null = null;
  const work = () => (activity ??= metrics.activity());
  const byStatus = (counts: Record<string, number>) => Object.entries(counts).map(([status, value]) => ({ labels: { status }, value }));
  family("berth_builds_total", "Builds recorded, by status", "counter", installWide(() => byStatus(work().builds.byStatus)));
  family("berth_build_queue_length", "Builds waiting for a build slot", "gauge", installWide(() => [{ labels: {}, value: work().builds.byStatus.queued ?? 0 }]));
  family("berth_builds_running", "Builds running now", "gauge", installWide(() => [{ labels: {}, value: work().builds.byStatus.running ?? 0 }]));
  family("berth_build_duration_seconds", "Time from a build's start to its end", "histogram", installWide(() => durationHistogram("berth_build_duration_seconds", work().builds.durations)));
  family("berth_deploys_total", "Releases recorded, by status", "counter", installWide(() => byStatus(work().deploys.byStatus)));
  family("berth_deploys_in_progress", "Releases building or rolling out now", "gauge", installWide(() => [{ labels: {}, value: (work().deploys.byStatus.building ?? 0) + (work().deploys.byStatus.deploying ?? 0) }]));
  family("berth_deploy_duration_seconds", "Time from a release's creation to its end (builds included)", "histogram", installWide(() => durationHistogram("berth_deploy_duration_seconds", work().deploys.durations)));
  family("berth_edge_restarts_total", "Times serve restarted a dead or silent edge", "counter", installWide(() => {
    const edge = health?.().edge as { restarts?: number } | null | undefined;
    return edge ? [{ labels: {}, value: edge.restarts ?? 0 }] : [];
  }));

  const replicas = () => metrics.latest().replicas.filter((r) => view.sees(r.project));
  const replicaLabels = (r: ReturnType<typeof replicas>[number]) => ({ project: r.project, environment: r.environment, block: r.block, replica: r.replica });
  const perReplica = (name: string, help: string, type: "counter" | "gauge", value: (r: ReturnType<typeof replicas>[number]) => number) =>
    family(name, help, type, () => replicas().map((r) => ({ labels: replicaLabels(r), value: value(r) })));
  perReplica("berth_block_cpu_seconds_total", "CPU time a replica's container used", "counter", (r) => r.cpuNs / 1e9);
  perReplica("berth_block_memory_bytes", "Memory a replica uses (as docker stats shows it: without reclaimable page cache)", "gauge", (r) => r.memoryBytes);
  perReplica("berth_block_memory_limit_bytes", "A replica's memory limit", "gauge", (r) => r.memoryLimitBytes);
  perReplica("berth_block_network_receive_bytes_total", "Bytes a replica received", "counter", (r) => r.netRxBytes);
  perReplica("berth_block_network_transmit_bytes_total", "Bytes a replica sent", "counter", (r) => r.netTxBytes);
  perReplica("berth_block_io_read_bytes_total", "Bytes a replica read from block devices", "counter", (r) => r.blockReadBytes);
  perReplica("berth_block_io_write_bytes_total", "Bytes a replica wrote to block devices", "counter", (r) => r.blockWriteBytes);
  perReplica("berth_block_restarts_total", "Times the engine restarted a replica's container", "counter", (r) => r.restarts);

  const edge = () => (metrics.latest().edge ?? []).filter((c) => view.sees(c.project));
  const blockLabels = (c: ReturnType<typeof edge>[number]) => ({ project: c.project, environment: c.environment, block: c.block });
  family("berth_edge_requests_total", "Requests the edge answered per block, by status class", "counter", () =>
    edge().flatMap((c) => STATUS_CLASSES.map((status, i) => ({ labels: { ...blockLabels(c), status }, value: c.byClass[i] ?? 0 }))),
  );
  family("berth_edge_request_duration_seconds", "Time from request to response headers per block", "histogram", () =>
    edge().flatMap((c) => histogramValues("berth_edge_request_duration_seconds", blockLabels(c), LATENCY_BUCKETS, c.buckets, c.latencySum)),
  );
  family("berth_edge_response_bytes_total", "Response body bytes per block (declared by Content-Length)", "counter", () => edge().map((c) => ({ labels: blockLabels(c), value: c.bytes })));

  const machine = () => metrics.machine();
  family("berth_machine_cpu_percent", "Host CPU busy, percent of all cores", "gauge", installWide(() => {
    const m = machine();
    return m ? [{ labels: {}, value: m.cpuPercent }] : [];
  }));
  family("berth_machine_memory_used_bytes", "Host memory in use (MemTotal − MemAvailable)", "gauge", installWide(() => {
    const m = machine();
    return m ? [{ labels: {}, value: m.memoryUsedBytes }] : [];
  }));
  family("berth_machine_memory_bytes", "Host memory in all", "gauge", installWide(() => {
    const m = machine();
    return m ? [{ labels: {}, value: m.memoryTotalBytes }] : [];
  }));
  const disks = () => {
    const m = machine();
    if (!m) return [];
    const list = [{ disk: "data", used: m.dataDiskUsedBytes, size: m.dataDiskTotalBytes }];
    if (m.dockerDiskUsedBytes !== null && m.dockerDiskTotalBytes !== null) list.push({ disk: "docker", used: m.dockerDiskUsedBytes, size: m.dockerDiskTotalBytes });
    return list;
  };
  family("berth_machine_disk_used_bytes", "Used space of the data dir's and Docker's file systems", "gauge", installWide(() => disks().map((d) => ({ labels: { disk: d.disk }, value: d.used }))));
  family("berth_machine_disk_size_bytes", "Used plus available space of those file systems (as df computes Use%)", "gauge", installWide(() => disks().map((d) => ({ labels: { disk: d.disk }, value: d.size }))));

  // Seconds left on each certificate (negative: expired), for an alert well before the end.
  family("berth_certificate_expiry_seconds", "Seconds until a host's certificate expires (negative: expired)", "gauge", installWide(() =>
    (certificates?.() ?? []).flatMap((c) => (c.notAfter ? [{ labels: { host: c.host }, value: Math.round((Date.parse(c.notAfter) - Date.now()) / 1000) }] : []))),);

  return {
    contentType: registry.contentType,
    /** One scrape at a time: the registry reads its families between awaits, and `view` must not change meanwhile. */
    render(scraper: ScrapeView = { sees: () => true, install: true }): Promise<string> {
      const run = queue.then(() => {
        activity = null;
        view = scraper;
        return registry.metrics();
      });
      queue = run.catch(() => {});
      return run;
    },
  };
}
