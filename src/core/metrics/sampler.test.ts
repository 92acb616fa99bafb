import { expect, test } from "bun:test";
import { migrate, openDb } from "../../adapters/store/db.ts";
import { createMetricsStore } from "../../adapters/store/metrics-store.ts";
import type { HostReading, ReplicaReading, StatsSources } from "../../ports/stats-source.ts";
import { createDiskWatch } from "./disk-watch.ts";
import { createSampler } from "./sampler.ts";

function harness(disk = { usedBytes: 10, totalBytes: 100 }) {
  const db = openDb(":memory:");
  migrate(db);
  const store = createMetricsStore(db);
  let clock = 1_000_000_000;
  let cpuNs = 0;
  const sources: StatsSources = {
    async replicas(): Promise<ReplicaReading[]> {
      return [{ project: "shop", environment: "prod", block: "burn", replica: 0, container: "c1", readAtMs: clock, cpuNs, memoryBytes: 1 << 20, memoryLimitBytes: 1 << 30, netRxBytes: 0, netTxBytes: 0, blockReadBytes: 0, blockWriteBytes: 0, restarts: 0 }];
    },
    edge: async () => null,
    async host(): Promise<HostReading> {
      return { readAtMs: clock, cpuBusy: clock / 1000, cpuTotal: (clock / 1000) * 4, memoryUsedBytes: 1, memoryTotalBytes: 2, dataDisk: disk, dockerDisk: null };
    },
  };
  const lines: string[] = [];
  const sampler = createSampler({ sources, store, intervalMs: 10_000, now: () => clock, onHost: createDiskWatch(85) });
  sampler.start((line) => lines.push(line))();
  const advance = (seconds: number, cpuSeconds: number) => {
    clock += seconds * 1000;
    cpuNs += cpuSeconds * 1e9;
  };
  return { store, sampler, advance, lines };
}

test("rounds store a busy replica's CPU and the machine's, and roll minutes up", async () => {
  const { store, sampler, advance } = harness();
  await sampler.tick();
  for (let i = 0; i < 8; i++) {
    advance(10, 9);
    await sampler.tick();
  }
  const raw = store.blocks({ project: "shop", environment: "prod", tier: 0, since: 0 });
  expect(raw.length).toBe(8);
  expect(raw.every((r) => Math.abs(r.cpuPercent - 90) < 0.001)).toBe(true);
  expect(store.blocks({ project: "shop", environment: "prod", tier: 1, since: 0 }).length).toBeGreaterThan(0);
  expect(store.host(0, 0).at(-1)!.cpuPercent).toBeCloseTo(25, 6);
  expect(sampler.latest().replicas).toHaveLength(1);
});

test("a disk past the limit is said once, not every round", async () => {
  const disk = { usedBytes: 90, totalBytes: 100 };
  const { sampler, advance, lines } = harness(disk);
  for (let i = 0; i < 4; i++) {
    await sampler.tick();
    advance(10, 1);
  }
  expect(lines.filter((l) => l.includes("90% full"))).toHaveLength(1);
  disk.usedBytes = 50;
  await sampler.tick();
  expect(lines.at(-1)).toContain("back under 85%");
});
