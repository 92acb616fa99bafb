import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { BlockLogStore, LogFilter, LogLine } from "../../ports/container-logs.ts";

/** A file of one block's lines and the time range they cover: the index `--since` and `--tail` use. */
interface Segment {
  file: string;
  min: string;
  max: string;
  bytes: number;
}

interface BlockLogs {
  project: string;
  environment: string;
  block: string;
  dir: string;
  /** Oldest first (by `max`). */
  closed: Segment[];
  current: (Segment & { fd: number }) | null;
}

/** As stored: one JSON object per line; project, environment and block are the folder's. */
interface Stored {
  t: string;
  r: number;
  n: number;
  c: string;
  s: "o" | "e";
  m: string;
}

export interface SegmentStoreOptions {
  dir: string;
  /** Cap of one block's lines; its oldest segment goes first. */
  blockBytes: number;
  /** Cap of all blocks' lines together; the oldest segment anywhere goes first. */
  totalBytes: number;
  now?: () => number;
}

const CURRENT = "current.jsonl";
const CLOSED = /^(\d{4}-[^_]+Z)_(\d{4}-[^_]+Z)\.jsonl$/;
const CURSOR_WRITE_MS = 1000;

/**
 * Block output in segment files: `<dir>/<project>/<env>/<block>/current.jsonl` takes appends;
 * past a quarter of the block's cap it is renamed `<first time>_<last time>.jsonl`, so the file
 * names are the time index and a query opens only the segments its range overlaps.
 */
export function createSegmentStore(options: SegmentStoreOptions): BlockLogStore {
  const { dir, blockBytes, totalBytes } = options;
  const now = options.now ?? Date.now;
  const segmentBytes = Math.max(64 * 1024, Math.floor(blockBytes / 4));
  const cursorsFile = join(dir, "cursors.json");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const blocks = new Map<string, BlockLogs>();
  const cursors = new Map<string, string>(Object.entries(readJson(cursorsFile)));
  let cursorsDirty = false;
  let cursorsWritten = 0;
  let total = 0;

  for (const project of subdirs(dir)) {
    for (const environment of subdirs(join(dir, project))) {
      for (const block of subdirs(join(dir, project, environment))) {
        const logs = load(project, environment, block, join(dir, project, environment, block));
        blocks.set(key(project, environment, block), logs);
      }
    }
  }

  function load(project: string, environment: string, block: string, path: string): BlockLogs {
    const logs: BlockLogs = { project, environment, block, dir: path, closed: [], current: null };
    for (const file of readdirSync(path)) {
      const match = CLOSED.exec(file);
      if (match) logs.closed.push({ file: join(path, file), min: match[1]!, max: match[2]!, bytes: statSync(join(path, file)).size });
    }
    logs.closed.sort((a, b) => (a.max < b.max ? -1 : 1));
    const current = join(path, CURRENT);
    if (existsSync(current)) {
      // The open segment's range is not in its name: read it, and take the cursors it holds (newer than any written).
      let min = "";
      let max = "";
      for (const stored of readSegment(current)) {
        if (!min || stored.t < min) min = stored.t;
        if (stored.t > max) max = stored.t;
        if ((cursors.get(stored.c) ?? "") < stored.t) cursors.set(stored.c, stored.t);
      }
      if (min) logs.current = { file: current, min, max, bytes: statSync(current).size, fd: openSync(current, "a", 0o600) };
      else rmSync(current);
    }
    for (const s of [...logs.closed, ...(logs.current ? [logs.current] : [])]) total += s.bytes;
    return logs;
  }

  function blockOf(line: LogLine): BlockLogs {
    const k = key(line.project, line.environment, line.block);
    let logs = blocks.get(k);
    if (!logs) {
      const path = join(dir, line.project, line.environment, line.block);
      mkdirSync(path, { recursive: true, mode: 0o700 });
      logs = { project: line.project, environment: line.environment, block: line.block, dir: path, closed: [], current: null };
      blocks.set(k, logs);
    }
    return logs;
  }

  function write(logs: BlockLogs, lines: LogLine[]) {
    const text = lines.map((l) => `${JSON.stringify({ t: l.time, r: l.replica, n: l.release, c: l.container, s: l.stream === "stderr" ? "e" : "o", m: l.text } satisfies Stored)}\n`).join("");
    if (!logs.current) {
      const file = join(logs.dir, CURRENT);
      logs.current = { file, min: lines[0]!.time, max: lines[0]!.time, bytes: 0, fd: openSync(file, "a", 0o600) };
    }
    const current = logs.current;
    const bytes = writeSync(current.fd, text);
    current.bytes += bytes;
    total += bytes;
    for (const line of lines) {
      if (line.time < current.min) current.min = line.time;
      if (line.time > current.max) current.max = line.time;
    }
    if (current.bytes >= segmentBytes) rotate(logs);
  }

  function rotate(logs: BlockLogs) {
    const current = logs.current!;
    closeSync(current.fd);
    const file = join(logs.dir, `${current.min}_${current.max}.jsonl`);
    renameSync(current.file, file);
    logs.closed.push({ file, min: current.min, max: current.max, bytes: current.bytes });
    logs.closed.sort((a, b) => (a.max < b.max ? -1 : 1));
    logs.current = null;
    writeCursors();
    while (logs.closed.length > 0 && sizeOf(logs) > blockBytes) drop(logs);
    while (total > totalBytes) {
      let oldest: BlockLogs | null = null;
      for (const b of blocks.values()) if (b.closed.length > 0 && (!oldest || b.closed[0]!.max < oldest.closed[0]!.max)) oldest = b;
      if (!oldest) break;
      drop(oldest);
    }
  }

  function drop(logs: BlockLogs) {
    const segment = logs.closed.shift()!;
    rmSync(segment.file, { force: true });
    total -= segment.bytes;
  }

  function writeCursors() {
    writeFileSync(`${cursorsFile}.tmp`, JSON.stringify(Object.fromEntries(cursors)), { mode: 0o600 });
    renameSync(`${cursorsFile}.tmp`, cursorsFile);
    cursorsDirty = false;
    cursorsWritten = now();
  }


  return {
    append(lines) {
      const grouped = new Map<BlockLogs, LogLine[]>();
      for (const line of lines) {
        const logs = blockOf(line);
        const group = grouped.get(logs);
        if (group) group.push(line);
        else grouped.set(logs, [line]);
        if ((cursors.get(line.container) ?? "") < line.time) cursors.set(line.container, line.time);
        cursorsDirty = true;
      }
      for (const [logs, group] of grouped) write(logs, group);
      if (cursorsDirty && now() - cursorsWritten >= CURSOR_WRITE_MS) writeCursors();
    },

    query(filter, limit) {
      const names = filter.blocks?.length ? filter.blocks : this.blocks(filter.project, filter.environment);
      const since = filter.since ?? "";
      const until = filter.until ?? "9999";
      const segments: (Segment & { block: string })[] = [];
      for (const name of names) {
        const logs = blocks.get(key(filter.project, filter.environment, name));
        if (logs) for (const s of segmentsOf(logs)) if (s.max >= since && s.min <= until) segments.push({ ...s, block: name });
      }
      const wanted = Math.min(filter.tail ?? limit, limit);
      const matches = (s: Stored) =>
        s.t >= since && s.t <= until && (filter.release === undefined || s.n === filter.release) && (!filter.grep || filter.grep.test(s.m));
      const found: LogLine[] = [];
      const take = (segment: Segment & { block: string }) => {
        for (const s of readSegment(segment.file)) if (matches(s)) found.push(toLine(filter, segment.block, s));
      };
      if (filter.tail !== undefined) {
        // Newest segments first, until the ones left are all older than the lines already kept.
        segments.sort((a, b) => (a.max > b.max ? -1 : 1));
        for (const segment of segments) {
          if (found.length >= wanted && segment.max < nth(found, wanted)) break;
          take(segment);
        }
        return sortByTime(found).slice(-wanted);
      }
      segments.sort((a, b) => (a.min < b.min ? -1 : 1));
      for (const segment of segments) {
        if (found.length >= wanted && segment.min > nth(found, wanted, true)) break;
        take(segment);
      }
      return sortByTime(found).slice(0, wanted);
    },

    blocks(project, environment) {
      return [...blocks.values()].filter((b) => b.project === project && b.environment === environment && segmentsOf(b).length > 0).map((b) => b.block);
    },

    cursor: (container) => cursors.get(container) ?? null,

    pruneCursors(keep) {
      for (const id of [...cursors.keys()]) if (!keep.has(id)) (cursors.delete(id), (cursorsDirty = true));
    },

    removeEnvironment(project, environment) {
      for (const [k, logs] of blocks) {
        if (logs.project !== project || logs.environment !== environment) continue;
        if (logs.current) closeSync(logs.current.fd);
        total -= sizeOf(logs);
        blocks.delete(k);
      }
      rmSync(join(dir, project, environment), { recursive: true, force: true });
    },

    close() {
      if (cursorsDirty) writeCursors();
      for (const logs of blocks.values()) if (logs.current) closeSync(logs.current.fd);
    },
  };
}

const segmentsOf = (logs: BlockLogs): Segment[] => [...logs.closed, ...(logs.current ? [logs.current] : [])];
const sizeOf = (logs: BlockLogs) => segmentsOf(logs).reduce((sum, s) => sum + s.bytes, 0);
const key = (project: string, environment: string, block: string) => `${project}/${environment}/${block}`;

function toLine(filter: LogFilter, block: string, s: Stored): LogLine {
  return { time: s.t, project: filter.project, environment: filter.environment, block, replica: s.r, release: s.n, container: s.c, stream: s.s === "e" ? "stderr" : "stdout", text: s.m };
}

function sortByTime(lines: LogLine[]): LogLine[] {
  return lines.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

/** The time of the `n`th newest (or oldest) line. */
function nth(lines: LogLine[], n: number, oldest = false): string {
  const times = lines.map((l) => l.time).sort();
  return oldest ? times[n - 1]! : times[times.length - n]!;
}

function readSegment(file: string): Stored[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return []; // dropped by the size cap while being read
  }
  const out: Stored[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as Stored);
    } catch {} // a line cut short by a crash mid-write
  }
  return out;
}

function subdirs(path: string): string[] {
  if (!existsSync(path)) return [];
  return readdirSync(path, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
}

function readJson(file: string): Record<string, string> {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  } catch {
    return {};
  }
}
