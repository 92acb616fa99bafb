import { expect, test } from "bun:test";
import type { BlockSample, RouteSample } from "../../ports/metrics-store.ts";
import { migrate, openDb } from "./db.ts";
import { createMetricsStore } from "./metrics-store.ts";

function fresh() {
  const db = openDb(":memory:");
  migrate(db);
  return createMetricsStore(db);
}

const block = (at: number, over: Partial<BlockSample> = {}): BlockSample => ({
  project: "shop", environment: "prod", block: "web", replica: 0, at,
  cpuPercent: 10, memoryBytes: 100, memoryLimitBytes: 1000, netRxBps: 1, netTxBps: 2, blockReadBps: 3, blockWriteBps: 4, restarts: 0, ...over,
});
const route = (at: number, requests: number, slow = 0): RouteSample => {
  const buckets = new Array(14).fill(0);
  buckets[1] = requests - slow;
  buckets[9] = slow;
  return { project: "shop", environment: "prod", block: "web", at, seconds: 10, byClass: [0, requests, 0, 0, 0], bytes: requests * 100, buckets, latencySum: requests * 0.003 };
};

test("a minute of raw samples rolls up to one point: rates averaged, restarts the highest, counts summed", () => {
  const store = fresh();
  for (let i = 0; i < 6; i++) store.write({ blocks: [block(600 + i * 10, { cpuPercent: i * 10, restarts: i === 5 ? 2 : 0 })], routes: [route(600 + i * 10, 5, i === 0 ? 1 : 0)], host: null });
  store.rollup(1, 60, 0, 660);
  const [point] = store.blocks({ project: "shop", environment: "prod", block: "web", tier: 1, since: 0 });
  expect(point).toMatchObject({ at: 600, cpuPercent: 25, restarts: 2, memoryBytes: 100 });
  const [traffic] = store.routes({ project: "shop", environment: "prod", tier: 1, since: 0 });
  expect(traffic).toMatchObject({ at: 600, seconds: 60, byClass: [0, 30, 0, 0, 0], bytes: 3000 });
  expect(traffic!.buckets[1]).toBe(29);
  expect(traffic!.buckets[9]).toBe(1);
});

test("rolling up twice changes nothing, and a late sample is taken in when its minute is redone", () => {
  const store = fresh();
  store.write({ blocks: [block(600, { cpuPercent: 10 })], routes: [], host: null });
  store.rollup(1, 60, 0, 660);
  store.rollup(1, 60, 0, 660);
  expect(store.blocks({ project: "shop", environment: "prod", tier: 1, since: 0 })).toHaveLength(1);
  store.write({ blocks: [block(650, { cpuPercent: 30 })], routes: [], host: null });
  store.rollup(1, 60, 0, 660);
  const points = store.blocks({ project: "shop", environment: "prod", tier: 1, since: 0 });
  expect(points).toHaveLength(1);
  expect(points[0]!.cpuPercent).toBe(20);
});

test("pruning keeps each tier within its retention, so the tables stay bounded", () => {
  const store = fresh();
  for (let i = 0; i < 720; i++) store.write({ blocks: [block(i * 10)], routes: [], host: null });
  store.prune(0, 7200 - 3600);
  expect(store.rowCounts().blocks).toBe(360);
  expect(store.blocks({ project: "shop", environment: "prod", tier: 0, since: 0 })[0]!.at).toBe(3600);
});

test("series are per environment: another project's samples never show", () => {
  const store = fresh();
  store.write({ blocks: [block(10), block(10, { project: "other" })], routes: [], host: null });
  expect(store.blocks({ project: "shop", environment: "prod", tier: 0, since: 0 }).map((b) => b.project)).toEqual(["shop"]);
});
