import { type SQL, and, asc, count, eq, gte, lt, sql } from "drizzle-orm";
import type { BlockSample, HostSample, MetricsStore, RouteSample, SeriesQuery, Tier } from "../../ports/metrics-store.ts";
import type { Db } from "./db.ts";
import { metricBlocks, metricHost, metricRoutes } from "./schema.ts";

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const sumArrays = (arrays: number[][]) => arrays.reduce((acc, a) => acc.map((v, i) => v + (a[i] ?? 0)), new Array<number>(arrays[0]?.length ?? 0).fill(0));

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

const bucketOf = (at: number, seconds: number) => at - (at % seconds);

/** Gauges and rates average over the bucket; restarts and limits keep their last (largest) value. */
function rollBlocks(rows: BlockSample[], at: number): BlockSample {
  const first = rows[0]!;
  return {
    project: first.project,
    environment: first.environment,
    block: first.block,
    replica: first.replica,
    at,
    cpuPercent: mean(rows.map((r) => r.cpuPercent)),
    memoryBytes: mean(rows.map((r) => r.memoryBytes)),
    memoryLimitBytes: Math.max(...rows.map((r) => r.memoryLimitBytes)),
    netRxBps: mean(rows.map((r) => r.netRxBps)),
    netTxBps: mean(rows.map((r) => r.netTxBps)),
    blockReadBps: mean(rows.map((r) => r.blockReadBps)),
    blockWriteBps: mean(rows.map((r) => r.blockWriteBps)),
    restarts: Math.max(...rows.map((r) => r.restarts)),
  };
}

/** Counts add up, so a rollup's quantiles come from the summed histogram. */
function rollRoutes(rows: RouteSample[], at: number): RouteSample {
  const first = rows[0]!;
  return {
    project: first.project,
    environment: first.environment,
    block: first.block,
    at,
    seconds: rows.reduce((a, r) => a + r.seconds, 0),
    byClass: sumArrays(rows.map((r) => r.byClass)),
    bytes: rows.reduce((a, r) => a + r.bytes, 0),
    buckets: sumArrays(rows.map((r) => r.buckets)),
    latencySum: rows.reduce((a, r) => a + r.latencySum, 0),
  };
}

function rollHost(rows: HostSample[], at: number): HostSample {
  const last = rows[rows.length - 1]!;
  return {
    at,
    cpuPercent: mean(rows.map((r) => r.cpuPercent)),
    memoryUsedBytes: mean(rows.map((r) => r.memoryUsedBytes)),
    memoryTotalBytes: last.memoryTotalBytes,
    dataDiskUsedBytes: last.dataDiskUsedBytes,
    dataDiskTotalBytes: last.dataDiskTotalBytes,
    dockerDiskUsedBytes: last.dockerDiskUsedBytes,
    dockerDiskTotalBytes: last.dockerDiskTotalBytes,
  };
}

/** Every field of a block sample: all plain numbers and strings, so each maps to a placeholder. */
const BLOCK_FIELDS = ["project", "environment", "block", "replica", "at", "cpuPercent", "memoryBytes", "memoryLimitBytes", "netRxBps", "netTxBps", "blockReadBps", "blockWriteBps", "restarts"] as const satisfies readonly (keyof BlockSample)[];
const placeholders = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((key) => [key, sql.placeholder(key)])) as unknown as Record<K, ReturnType<typeof sql.placeholder>>;
/** An upsert's SET that takes every field from the row that conflicted (SQLite's `excluded`). */
const fromExcluded = <K extends (typeof BLOCK_FIELDS)[number]>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((key) => [key, sql.raw(`excluded."${metricBlocks[key].name}"`)])) as Record<K, SQL>;

export function createMetricsStore(db: Db): MetricsStore {
  const blockRows = (where: ReturnType<typeof and>) =>
    db.select().from(metricBlocks).where(where).orderBy(asc(metricBlocks.at), asc(metricBlocks.block), asc(metricBlocks.replica)).all() as (BlockSample & { tier: number })[];
  const routeRows = (where: ReturnType<typeof and>) =>
    db.select().from(metricRoutes).where(where).orderBy(asc(metricRoutes.at), asc(metricRoutes.block)).all() as (RouteSample & { tier: number })[];
  const strip = <T extends { tier: number }>({ tier: _tier, ...rest }: T) => rest;

  // One row per replica every sampling round (300 at 300 containers): built once and prepared,
  // since building each statement anew held serve's event loop for 20–60 ms per round.
  const blockUpsert = db
    .insert(metricBlocks)
    .values({ ...placeholders(BLOCK_FIELDS), tier: sql.placeholder("tier") })
    .onConflictDoUpdate({ target: [metricBlocks.project, metricBlocks.environment, metricBlocks.block, metricBlocks.tier, metricBlocks.at, metricBlocks.replica], set: fromExcluded(BLOCK_FIELDS) })
    .prepare();
  const insertBlocks = (tier: Tier, rows: BlockSample[]) => {
    for (const row of rows) blockUpsert.run({ ...row, tier });
  };
  const insertRoutes = (tier: Tier, rows: RouteSample[]) => {
    for (const row of rows) db.insert(metricRoutes).values({ ...row, tier }).onConflictDoUpdate({ target: [metricRoutes.project, metricRoutes.environment, metricRoutes.block, metricRoutes.tier, metricRoutes.at], set: { ...row } }).run();
  };
  const insertHost = (tier: Tier, rows: HostSample[]) => {
    for (const row of rows) db.insert(metricHost).values({ ...row, tier }).onConflictDoUpdate({ target: [metricHost.tier, metricHost.at], set: { ...row } }).run();
  };

  return {
    write({ blocks, routes, host }) {
      db.transaction(() => {
        insertBlocks(0, blocks);
        insertRoutes(0, routes);
        if (host) insertHost(0, [host]);
      });
    },
    rollup(to, seconds, from, until) {
      const source = to - 1;
      db.transaction(() => {
        const blocks = blockRows(and(eq(metricBlocks.tier, source), gte(metricBlocks.at, from), lt(metricBlocks.at, until)));
        const blockGroups = groupBy(blocks, (r) => `${r.project}\0${r.environment}\0${r.block}\0${r.replica}\0${bucketOf(r.at, seconds)}`);
        insertBlocks(to, [...blockGroups.values()].map((rows) => rollBlocks(rows.map(strip), bucketOf(rows[0]!.at, seconds))));
        const routes = routeRows(and(eq(metricRoutes.tier, source), gte(metricRoutes.at, from), lt(metricRoutes.at, until)));
        const routeGroups = groupBy(routes, (r) => `${r.project}\0${r.environment}\0${r.block}\0${bucketOf(r.at, seconds)}`);
        insertRoutes(to, [...routeGroups.values()].map((rows) => rollRoutes(rows.map(strip), bucketOf(rows[0]!.at, seconds))));
        const hosts = db.select().from(metricHost).where(and(eq(metricHost.tier, source), gte(metricHost.at, from), lt(metricHost.at, until))).orderBy(asc(metricHost.at)).all();
        const hostGroups = groupBy(hosts, (r) => String(bucketOf(r.at, seconds)));
        insertHost(to, [...hostGroups.values()].map((rows) => rollHost(rows.map(strip), bucketOf(rows[0]!.at, seconds))));
      });
    },
    prune(tier, before) {
      db.transaction((tx) => {
        tx.delete(metricBlocks).where(and(eq(metricBlocks.tier, tier), lt(metricBlocks.at, before))).run();
        tx.delete(metricRoutes).where(and(eq(metricRoutes.tier, tier), lt(metricRoutes.at, before))).run();
        tx.delete(metricHost).where(and(eq(metricHost.tier, tier), lt(metricHost.at, before))).run();
      });
    },
    blocks: (q: SeriesQuery) =>
      blockRows(and(eq(metricBlocks.project, q.project), eq(metricBlocks.environment, q.environment), q.block === undefined ? undefined : eq(metricBlocks.block, q.block), eq(metricBlocks.tier, q.tier), gte(metricBlocks.at, q.since))).map(strip),
    routes: (q: SeriesQuery) =>
      routeRows(and(eq(metricRoutes.project, q.project), eq(metricRoutes.environment, q.environment), q.block === undefined ? undefined : eq(metricRoutes.block, q.block), eq(metricRoutes.tier, q.tier), gte(metricRoutes.at, q.since))).map(strip),
    host: (tier, since) => db.select().from(metricHost).where(and(eq(metricHost.tier, tier), gte(metricHost.at, since))).orderBy(asc(metricHost.at)).all().map(strip),
    rowCounts: () => ({
      blocks: db.select({ n: count() }).from(metricBlocks).get()!.n,
      routes: db.select({ n: count() }).from(metricRoutes).get()!.n,
      host: db.select({ n: count() }).from(metricHost).get()!.n,
    }),
  };
}

