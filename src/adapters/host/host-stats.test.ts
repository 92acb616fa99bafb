import { expect, test } from "bun:test";
import { tmpdir } from "node:os";
import { createHostStats, diskUse, parseMeminfo, parseProcStat } from "./host-stats.ts";

test("/proc/stat: busy is everything but idle and iowait", () => {
  expect(parseProcStat("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3 4\n")).toEqual({ busy: 150, total: 1000 });
});

test("/proc/meminfo: used is total minus available", () => {
  expect(parseMeminfo("MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    400 kB\n")).toEqual({ usedBytes: 600 * 1024, totalBytes: 1000 * 1024 });
});

test("this machine reads back sane figures", async () => {
  const reading = await createHostStats(tmpdir(), async () => null)();
  expect(reading.memoryTotalBytes).toBeGreaterThan(reading.memoryUsedBytes);
  expect(reading.cpuTotal).toBeGreaterThan(reading.cpuBusy);
  expect(reading.dataDisk.totalBytes).toBeGreaterThanOrEqual(reading.dataDisk.usedBytes);
  expect(reading.dockerDisk).toBeNull();
  const disk = diskUse("/");
  expect(disk.usedBytes).toBeGreaterThan(0);
});
