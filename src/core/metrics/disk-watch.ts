import type { HostSample } from "../../ports/metrics-store.ts";

const percent = (used: number | null, total: number | null) => (used === null || !total ? null : (used / total) * 100);

/**
 * Says once when a disk passes `limitPercent` and once when it is back under (with a point of
 * hysteresis, so a disk hovering at the limit does not repeat itself every sample).
 */
export function createDiskWatch(limitPercent: number) {
  const over = new Set<string>();
  return (sample: HostSample, log: (line: string) => void) => {
    const disks = [
      ["the data dir's file system", percent(sample.dataDiskUsedBytes, sample.dataDiskTotalBytes)],
      ["Docker's root file system", percent(sample.dockerDiskUsedBytes, sample.dockerDiskTotalBytes)],
    ] as const;
    for (const [name, used] of disks) {
      if (used === null) continue;
      if (used >= limitPercent && !over.has(name)) {
        over.add(name);
        const line = `disk: ${name} is ${used.toFixed(0)}% full (warning from ${limitPercent}%)`;
        log(line);
        // NOTIFICATION CALL SITE: hand `line` to the notifier (email, webhook…) here once notifications exist.
      } else if (used < limitPercent - 1 && over.has(name)) {
        over.delete(name);
        log(`disk: ${name} is back under ${limitPercent}% (${used.toFixed(0)}%)`);
      }
    }
  };
}
