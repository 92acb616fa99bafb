import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { accessLogFiles, type AccessEntry } from "../../lib/access-log.ts";
import type { AccessFilter, AccessLogReader } from "../../ports/access-log-reader.ts";

const POLL_MS = 250;

/** Reads the access log files the edge writes and rotates (see edge/access-log.ts). */
export function createAccessLogReader(dir: string): AccessLogReader {
  const files = accessLogFiles(dir);
  const matcher = (filter: AccessFilter) => {
    const blocks = filter.blocks?.length ? new Set(filter.blocks) : null;
    return (line: string): AccessEntry | null => {
      let entry: AccessEntry;
      try {
        entry = JSON.parse(line) as AccessEntry;
      } catch {
        return null;
      }
      if (entry.project !== filter.project || entry.environment !== filter.environment) return null;
      if (blocks && !blocks.has(entry.block)) return null;
      // Entries carry milliseconds; bounds come with nine fraction digits: compare to the millisecond.
      if (filter.since && entry.time < filter.since.slice(0, 23)) return null;
      if (filter.until && entry.time.slice(0, 23) > filter.until.slice(0, 23)) return null;
      if (filter.grep && !filter.grep.test(line)) return null;
      return entry;
    };
  };

  return {
    read(filter, limit) {
      const match = matcher(filter);
      const since = filter.since ? Date.parse(filter.since) : 0;
      const wanted = Math.min(filter.tail ?? limit, limit);
      // A rotated file last written before `since` holds nothing wanted.
      const candidates = files.filter((file) => existsSync(file) && statSync(file).mtimeMs >= since);
      const found: AccessEntry[] = [];
      if (filter.tail !== undefined) {
        // The last entries: newest file first, each from its end, and no further file once enough.
        for (const file of candidates) {
          const lines = readFileSync(file, "utf8").split("\n");
          for (let i = lines.length - 1; i >= 0 && found.length < wanted; i--) {
            const entry = lines[i] ? match(lines[i]!) : null;
            if (entry) found.push(entry);
          }
          if (found.length >= wanted) break;
        }
        return found.reverse();
      }
      for (const file of candidates.reverse()) {
        for (const line of readFileSync(file, "utf8").split("\n")) {
          const entry = line ? match(line) : null;
          if (entry) found.push(entry);
          if (found.length >= wanted) return found;
        }
      }
      return found;
    },

    follow(filter, onEntries) {
      const match = matcher(filter);
      const live = files[0]!;
      let offset = existsSync(live) ? statSync(live).size : 0;
      let rest = "";
      const timer = setInterval(() => {
        if (!existsSync(live)) return;
        const size = statSync(live).size;
        // Rotated: the new file is read from its start.
        if (size < offset) (offset = 0), (rest = "");
        if (size === offset) return;
        const fd = openSync(live, "r");
        const buffer = Buffer.alloc(size - offset);
        try {
          readSync(fd, buffer, 0, buffer.length, offset);
        } finally {
          closeSync(fd);
        }
        offset = size;
        const lines = (rest + buffer.toString("utf8")).split("\n");
        rest = lines.pop()!;
        const entries = lines.map((l) => (l ? match(l) : null)).filter((e): e is AccessEntry => e !== null);
        if (entries.length > 0) onEntries(entries);
      }, POLL_MS);
      return () => clearInterval(timer);
    },
  };
}
