import { statfsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { HostReading } from "../../ports/stats-source.ts";

/** "cpu  user nice system idle iowait irq softirq steal …": busy is all but idle and iowait. */
export function parseProcStat(text: string): { busy: number; total: number } {
  const line = text.split("\n").find((l) => l.startsWith("cpu "));
  if (!line) throw new Error("/proc/stat has no cpu line");
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** Used memory as `free` counts it: MemTotal − MemAvailable. */
export function parseMeminfo(text: string): { usedBytes: number; totalBytes: number } {
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0) * 1024;
  const total = kib("MemTotal");
  return { usedBytes: total - kib("MemAvailable"), totalBytes: total };
}

/**
 * Disk use as `df` reports it: used blocks over used plus those available to unprivileged
 * users (the root reserve counts as neither), so the percent matches df's Use%.
 */
export function diskUse(path: string): { usedBytes: number; totalBytes: number } {
  const fs = statfsSync(path);
  const used = (fs.blocks - fs.bfree) * fs.bsize;
  return { usedBytes: used, totalBytes: used + fs.bavail * fs.bsize };
}

/**
 * The machine as Linux reports it. `dockerRoot` resolves once to Docker's root dir, or null
 * when the engine is elsewhere (its disk is then not this machine's to measure).
 */
export function createHostStats(dataDir: string, dockerRoot: () => Promise<string | null>) {
  let root: Promise<string | null> | null = null;
  return async function readHost(): Promise<HostReading> {
    root ??= dockerRoot().catch(() => {
      root = null;
      return null;
    });
    const [stat, meminfo, dockerDir] = await Promise.all([readFile("/proc/stat", "utf8"), readFile("/proc/meminfo", "utf8"), root]);
    const cpu = parseProcStat(stat);
    const memory = parseMeminfo(meminfo);
    let dockerDisk: HostReading["dockerDisk"] = null;
    try {
      if (dockerDir) dockerDisk = diskUse(dockerDir);
    } catch {}
    return {
      readAtMs: Date.now(),
      cpuBusy: cpu.busy,
      cpuTotal: cpu.total,
      memoryUsedBytes: memory.usedBytes,
      memoryTotalBytes: memory.totalBytes,
      dataDisk: diskUse(dataDir),
      dockerDisk,
    };
  };
}
