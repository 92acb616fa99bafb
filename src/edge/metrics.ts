import { Counter, Gauge, Registry } from "prom-client";
import { LATENCY_BUCKETS as BUCKETS } from "../lib/latency-buckets.ts";
import type { LoginGuard } from "../lib/throttle.ts";
import type { Route } from "./route-table.ts";

const CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;
const REQUESTS = "berth_edge_requests_total";
const LATENCY = "berth_edge_request_duration_seconds";
const BYTES = "berth_edge_response_bytes_total";

/** Raw numbers of one project/env/block, kept across table rebuilds so counters never go back. */
interface Series {
  labels: { project: string; env: string; block: string };
  byClass: Float64Array;
  /** Per bucket (non-cumulative), the last one being +Inf. */
  buckets: Float64Array;
  sum: number;
  count: number;
  bytes: number;
}

/** One process's counts, as an edge worker hands them to the first process (plain data, for IPC). */
export interface MetricsSnapshot {
  series: { key: string; labels: Series["labels"]; byClass: number[]; buckets: number[]; sum: number; count: number; bytes: number }[];
  unrouted: number;
}

/**
 * Per-route request counts and latency in an own registry (no default metrics: heap and GC
 * series are empty under Bun). prom-client's labelled children hash and validate their labels
 * on every call, so the request path only bumps plain numbers here; they are turned into
 * Prometheus series when scraped.
 */
export function createEdgeMetrics() {
  const registry = new Registry();
  const bySeries = new Map<string, Series>();
  const byRoute = new WeakMap<Route, Series>();

  // The last counts of each other edge process (see workers.ts), added in at scrape time.
  const others = new Map<number, MetricsSnapshot>();
  let unroutedHere = 0;
  let retired = 0;

  /** This process's series plus every worker's, summed per route. */
  const allSeries = (): Iterable<Series> => {
    if (others.size === 0) return bySeries.values();
    const merged = new Map<string, Series>();
    const add = (key: string, s: Pick<Series, "labels" | "sum" | "count" | "bytes"> & { byClass: ArrayLike<number>; buckets: ArrayLike<number> }) => {
      let into = merged.get(key);
      if (!into) merged.set(key, (into = { labels: s.labels, byClass: new Float64Array(CLASSES.length), buckets: new Float64Array(BUCKETS.length + 1), sum: 0, count: 0, bytes: 0 }));
      for (let i = 0; i < into.byClass.length; i++) into.byClass[i]! += s.byClass[i] ?? 0;
      for (let i = 0; i < into.buckets.length; i++) into.buckets[i]! += s.buckets[i] ?? 0;
      into.sum += s.sum;
      into.count += s.count;
      into.bytes += s.bytes;
    };
    for (const [key, s] of bySeries) add(key, s);
    for (const snapshot of others.values()) for (const s of snapshot.series) add(s.key, s);
    return merged.values();
  };

  const seriesOf = (route: Route): Series => {
    let found = byRoute.get(route);
    if (found) return found;
    found = bySeries.get(route.realm);
    if (!found) {
      const labels = { project: route.project, env: route.environment, block: route.block };
      found = { labels, byClass: new Float64Array(CLASSES.length), buckets: new Float64Array(BUCKETS.length + 1), sum: 0, count: 0, bytes: 0 };
      bySeries.set(route.realm, found);
    }
    byRoute.set(route, found);
    return found;
  };

  const requests = () => ({
    name: REQUESTS,
    help: "Requests answered per route, by status class",
    type: "counter",
    aggregator: "sum",
    values: [...allSeries()].flatMap((s) => CLASSES.map((status, i) => ({ labels: { ...s.labels, status }, value: s.byClass[i]! }))),
  });
  const latency = () => ({
    name: LATENCY,
    help: "Time from request to response headers per route",
    type: "histogram",
    aggregator: "sum",
    values: [...allSeries()].flatMap((s) => {
      let cumulative = 0;
      const buckets = [...BUCKETS, "+Inf" as const].map((le, i) => {
        cumulative += s.buckets[i]!;
        return { metricName: `${LATENCY}_bucket`, labels: { ...s.labels, le }, value: cumulative };
      });
      return [...buckets, { metricName: `${LATENCY}_sum`, labels: s.labels, value: s.sum }, { metricName: `${LATENCY}_count`, labels: s.labels, value: s.count }];
    }),
  });
  const bytes = () => ({
    name: BYTES,
    help: "Response body bytes per route, as declared by Content-Length (streamed bodies without one are not counted)",
    type: "counter",
    aggregator: "sum",
    values: [...allSeries()].map((s) => ({ labels: s.labels, value: s.bytes })),
  });
  // The registry only needs a name and get(); prom-client's own metric classes are one way to supply them.
  registry.registerMetric({ name: REQUESTS, get: requests } as never);
  registry.registerMetric({ name: LATENCY, get: latency } as never);
  registry.registerMetric({ name: BYTES, get: bytes } as never);

  new Counter({
    name: "berth_edge_unrouted_requests_total",
    help: "Requests for a host or path with no route",
    registers: [registry],
    collect() {
      this.reset();
      let total = unroutedHere;
      for (const snapshot of others.values()) total += snapshot.unrouted;
      this.inc(total);
    },
  });
  const routes = new Gauge({ name: "berth_edge_routes", help: "Routes in the current table", registers: [registry] });
  const reloads = new Counter({ name: "berth_edge_table_reloads_total", help: "Route tables built from the state DB", registers: [registry] });
  const loginFailures = new Counter({ name: "berth_edge_login_failures_total", help: "Wrong website passwords and gateway client secrets", registers: [registry] });
  const loginsThrottled = new Counter({ name: "berth_edge_logins_throttled_total", help: "Logins refused with 429 while an address or credential was blocked", registers: [registry] });

  return {
    registry,
    /** `startMs` from performance.now() when the request arrived. */
    record(route: Route, status: number, startMs: number, bytes = 0) {
      const s = seriesOf(route);
      s.bytes += bytes;
      const index = ((status / 100) | 0) - 1;
      s.byClass[index < 0 ? 0 : index > 4 ? 4 : index]! += 1;
      const seconds = (performance.now() - startMs) / 1000;
      let bucket = 0;
      while (bucket < BUCKETS.length && seconds > BUCKETS[bucket]!) bucket++;
      s.buckets[bucket]! += 1;
      s.sum += seconds;
      s.count += 1;
    },
    unrouted: () => void unroutedHere++,
    snapshot: (): MetricsSnapshot => ({
      series: [...bySeries].map(([key, s]) => ({ key, labels: s.labels, byClass: [...s.byClass], buckets: [...s.buckets], sum: s.sum, count: s.count, bytes: s.bytes })),
      unrouted: unroutedHere,
    }),
    /** A worker's counts so far (they only grow: the latest replaces the one before). */
    absorb: (worker: number, snapshot: MetricsSnapshot) => void others.set(worker, snapshot),
    /** A worker that ended: its last counts stay in the sums, or counters would go back. */
    retire(worker: number) {
      const last = others.get(worker);
      others.delete(worker);
      // Under a key no live worker has: workers count up from 1.
      if (last) others.set(-++retired, last);
    },
    /** `berth_certificate_expiry_seconds{host}`: seconds until each served certificate expires, read at scrape time. */
    watchCertificates(certs: () => ReadonlyMap<string, { notAfter: number }>) {
      new Gauge({
        name: "berth_certificate_expiry_seconds",
        help: "Seconds until the certificate the edge serves for a host expires (negative: expired)",
        labelNames: ["host"],
        registers: [registry],
        collect() {
          this.reset();
          for (const [host, cert] of certs()) this.set({ host }, Math.round((cert.notAfter - Date.now()) / 1000));
        },
      });
    },
    tableLoaded(routeCount: number) {
      routes.set(routeCount);
      reloads.inc();
    },
    /** The same guard, counting what it sees: an attack shows on a dashboard, not only in 429s. */
    countLogins(guard: LoginGuard): LoginGuard {
      return {
        retryAfterMs(ip, credential) {
          const ms = guard.retryAfterMs(ip, credential);
          if (ms > 0) loginsThrottled.inc();
          return ms;
        },
        failed(ip, credential) {
          loginFailures.inc();
          guard.failed(ip, credential);
        },
        succeeded: guard.succeeded,
      };
    },
  };
}

export type EdgeMetrics = ReturnType<typeof createEdgeMetrics>;
