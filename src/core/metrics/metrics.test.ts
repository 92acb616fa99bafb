import { expect, test } from "bun:test";
import { migrate, openDb } from "../../adapters/store/db.ts";
import { createMetricsStore } from "../../adapters/store/metrics-store.ts";
import type { HostSample } from "../../ports/metrics-store.ts";
import type { ProjectStore } from "../../ports/project-store.ts";
import { createMetrics } from "./metrics.ts";

const NOW = 1_800_000_000;
const projects = {
  loadProject: (name: string) => (name === "shop" ? { project: "shop", blocks: { web: {}, burn: {} }, environments: { prod: {} } } : null),
} as unknown as ProjectStore;

function harness(host: HostSample | null = null) {
  const db = openDb(":memory:");
  migrate(db);
  const store = createMetricsStore(db);
  const metrics = createMetrics({
    store,
    projects,
    sampler: { latest: () => ({ replicas: [], edge: null, host }), start: () => () => {} },
    activity: { activity: () => ({ builds: { byStatus: {}, durations: [] }, deploys: { byStatus: {}, durations: [] } }) },
    intervalMs: 10_000,
    diskWarnPercent: 85,
    now: () => NOW * 1000,
  });
  return { store, metrics };
}

const sample = (block: string, replica: number, at: number, cpuPercent: number) => ({
  project: "shop", environment: "prod", block, replica, at, cpuPercent, memoryBytes: 50, memoryLimitBytes: 200, netRxBps: 0, netTxBps: 0, blockReadBps: 0, blockWriteBps: 0, restarts: 0,
});

test("top: each replica's newest sample, its memory share, and its block's traffic over three intervals", () => {
  const { store, metrics } = harness();
  const buckets = new Array(14).fill(0);
  buckets[2] = 27; // (0.005, 0.01]
  buckets[8] = 3; // (0.5, 1]
  store.write({ blocks: [sample("web", 0, NOW - 20, 5), sample("burn", 0, NOW - 20, 80)], routes: [], host: null });
  store.write({
    blocks: [sample("web", 0, NOW - 10, 7), sample("web", 1, NOW - 10, 3), sample("burn", 0, NOW - 10, 90)],
    routes: [{ project: "shop", environment: "prod", block: "web", at: NOW - 10, seconds: 10, byClass: [0, 27, 0, 0, 3], bytes: 3000, buckets, latencySum: 1 }],
    host: null,
  });
  const view = metrics.top("shop", "prod");
  expect(view.replicas.map((r) => [r.block, r.replica, r.cpuPercent])).toEqual([["burn", 0, 90], ["web", 0, 7], ["web", 1, 3]]);
  expect(view.replicas[0]!.memoryPercent).toBe(25);
  const web = view.replicas[1]!.traffic!;
  expect(web.requestsPerSecond).toBeCloseTo(1, 6);
  expect(web.errorsPerSecond).toBeCloseTo(0.1, 6);
  expect(web.p95Ms!).toBeGreaterThan(500);
  expect(view.replicas[0]!.traffic!.requestsPerSecond).toBe(0);
});

test("an unknown environment or block is not found", () => {
  const { metrics } = harness();
  expect(() => metrics.top("shop", "dev")).toThrow('environment "dev" in project "shop" not found');
  expect(() => metrics.series("shop", "prod", "ghost", 3600)).toThrow('block "ghost"');
});

test("status warnings: a disk past the limit, nothing below it", () => {
  const host = (dataUsed: number, dockerUsed: number | null): HostSample => ({
    at: NOW, cpuPercent: 1, memoryUsedBytes: 1, memoryTotalBytes: 2, dataDiskUsedBytes: dataUsed, dataDiskTotalBytes: 100, dockerDiskUsedBytes: dockerUsed, dockerDiskTotalBytes: dockerUsed === null ? null : 100,
  });
  expect(harness(host(50, 50)).metrics.warnings()).toEqual([]);
  expect(harness(host(91, null)).metrics.warnings()).toEqual(["disk: the data dir's file system is 91% full (warning from 85%)"]);
  expect(harness(host(10, 86)).metrics.warnings()).toEqual(["disk: Docker's root file system is 86% full (warning from 85%)"]);
});
