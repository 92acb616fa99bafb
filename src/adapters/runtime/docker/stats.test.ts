import { expect, test } from "bun:test";
import { memoryInUse, toReading } from "./stats.ts";

test("memory as docker stats shows it: without the inactive page cache (cgroup v1 and v2)", () => {
  expect(memoryInUse({ usage: 1000, stats: { total_inactive_file: 300 } })).toBe(700);
  expect(memoryInUse({ usage: 1000, stats: { inactive_file: 200 } })).toBe(800);
  expect(memoryInUse({ usage: 1000, stats: {} })).toBe(1000);
});

test("a stats answer becomes a reading: networks summed, block I/O by operation in either spelling", () => {
  const labels = { "berth.project": "shop", "berth.env": "prod", "berth.block": "web", "berth.replica": "1" };
  const reading = toReading(labels, "abc", {
    read: "2026-12-02T05:00:00.000Z",
    cpu_stats: { cpu_usage: { total_usage: 42 } },
    memory_stats: { usage: 500, limit: 1000, stats: {} },
    networks: { eth0: { rx_bytes: 10, tx_bytes: 20 }, eth1: { rx_bytes: 1, tx_bytes: 2 } },
    blkio_stats: { io_service_bytes_recursive: [{ op: "Read", value: 5 }, { op: "write", value: 6 }, { op: "Total", value: 11 }] },
  }, 3);
  expect(reading).toMatchObject({ project: "shop", environment: "prod", block: "web", replica: 1, cpuNs: 42, memoryBytes: 500, memoryLimitBytes: 1000, netRxBytes: 11, netTxBytes: 22, blockReadBytes: 5, blockWriteBytes: 6, restarts: 3, readAtMs: Date.parse("2026-12-02T05:00:00.000Z") });
});
