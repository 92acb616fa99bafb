import { expect, test } from "bun:test";
import type { EdgeCounters, ReplicaReading } from "../../ports/stats-source.ts";
import { blockSamples, edgeKey, routeSamples } from "./rates.ts";

const reading = (over: Partial<ReplicaReading>): ReplicaReading => ({
  project: "shop", environment: "prod", block: "web", replica: 0, container: "c1", readAtMs: 0,
  cpuNs: 0, memoryBytes: 50, memoryLimitBytes: 100, netRxBytes: 0, netTxBytes: 0, blockReadBytes: 0, blockWriteBytes: 0, restarts: 0, ...over,
});

test("CPU is percent of one core: one core's worth of nanoseconds per second is 100", () => {
  const before = new Map([["c1", reading({ readAtMs: 0, cpuNs: 0, netRxBytes: 0 })]]);
  const [sample] = blockSamples(before, [reading({ readAtMs: 10_000, cpuNs: 15e9, netRxBytes: 2000 })], 10);
  expect(sample!.cpuPercent).toBeCloseTo(150, 6);
  expect(sample!.netRxBps).toBe(200);
  expect(sample!.memoryBytes).toBe(50);
});

test("a container seen for the first time has no rate yet; a restarted one starts from zero", () => {
  expect(blockSamples(new Map(), [reading({ readAtMs: 10_000, cpuNs: 5e9 })], 10)).toEqual([]);
  const before = new Map([["c1", reading({ readAtMs: 0, cpuNs: 50e9 })]]);
  expect(blockSamples(before, [reading({ readAtMs: 10_000, cpuNs: 1e9 })], 10)[0]!.cpuPercent).toBeCloseTo(10, 6);
});

const counters = (byClass: number[], extra: Partial<EdgeCounters> = {}): EdgeCounters => ({
  project: "shop", environment: "prod", block: "web", byClass, bytes: byClass.reduce((a, b) => a + b) * 10, buckets: [byClass.reduce((a, b) => a + b)], latencySum: 1, ...extra,
});

test("the edge's counters become what happened since the last scrape; its first scrape is the baseline", () => {
  const first = counters([0, 10, 0, 0, 1]);
  expect(routeSamples(null, [first], 10, 10)).toEqual([]);
  const previous = new Map([[edgeKey(first), first]]);
  const [row] = routeSamples(previous, [counters([0, 15, 0, 0, 3])], 20, 10);
  expect(row!.byClass).toEqual([0, 5, 0, 0, 2]);
  expect(row!.bytes).toBe(70);
});

test("an edge restart (counters went back) counts what it has since, and a quiet block gives no row", () => {
  const before = counters([0, 100, 0, 0, 0]);
  const previous = new Map([[edgeKey(before), before]]);
  expect(routeSamples(previous, [counters([0, 4, 0, 0, 0])], 20, 10)[0]!.byClass).toEqual([0, 4, 0, 0, 0]);
  expect(routeSamples(previous, [before], 20, 10)).toEqual([]);
});
