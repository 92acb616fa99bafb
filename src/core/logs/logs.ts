import type { AccessEntry } from "../../lib/access-log.ts";
import { normalizeTime, timeFromMs } from "../../lib/log-time.ts";
import type { AccessFilter, AccessLogReader } from "../../ports/access-log-reader.ts";
import type { BlockLogStore, LogFilter, LogLine } from "../../ports/container-logs.ts";
import type { ProjectStore } from "../../ports/project-store.ts";
import { invalid, notFound } from "../errors.ts";
import type { LogCollector } from "./collector.ts";

/** A log query as the API takes it: text as the user typed it, checked here. */
export interface LogRequest {
  project: string;
  environment: string;
  blocks?: string[];
  /** "10m", "2h", "3d" back from now, or an RFC 3339 time. */
  since?: string;
  until?: string;
  tail?: number;
  grep?: string;
  release?: number;
}

/** Without --since or --tail, a query answers the newest lines, as `heroku logs` does. */
export const DEFAULT_TAIL = 100;
/** The most lines one answer carries; narrow with --since/--until to see older ones. */
export const MAX_LINES = 10_000;
const MAX_GREP = 500;

export interface LogsDeps {
  projects: ProjectStore;
  store: BlockLogStore;
  collector: LogCollector;
  access: AccessLogReader;
  now?: () => number;
}

/** `berth logs`: the stored and live output of an environment's blocks, and its edge access log. */
export function createLogs(deps: LogsDeps) {
  const now = deps.now ?? Date.now;
  /** Open follows: a stopping server ends them, so their clients reconnect instead of hanging. */
  const open = new Map<() => void, () => void>();
  const following = (onDone: () => void, unsubscribe: () => void) => {
    open.set(onDone, unsubscribe);
    return () => {
      open.delete(onDone);
      unsubscribe();
    };
  };

  function filterOf(request: LogRequest, following = false): LogFilter {
    const file = deps.projects.loadProject(request.project);
    if (!file) throw notFound(`project "${request.project}"`);
    if (!file.environments[request.environment]) throw notFound(`environment "${request.environment}" in project "${request.project}"`);
    const blocks = request.blocks ?? [];
    // A block removed from the project keeps its stored lines: they stay readable by name.
    const stored = new Set(deps.store.blocks(request.project, request.environment));
    for (const block of blocks) if (!file.blocks[block] && !stored.has(block)) throw notFound(`block "${block}" in project "${request.project}"`);
    if (following && request.until) throw invalid("until: a followed log has no end; leave out until or stop following");
    const since = request.since === undefined ? undefined : parseTime("since", request.since, now());
    const until = request.until === undefined ? undefined : parseTime("until", request.until, now());
    if (since && until && since > until) throw invalid("since: it is after until");
    const tail = request.tail ?? (since || until ? undefined : DEFAULT_TAIL);
    return { project: request.project, environment: request.environment, blocks, since, until, tail, release: request.release, grep: request.grep === undefined ? undefined : parseGrep(request.grep) };
  }

  const matchesLive = (filter: LogFilter) => {
    const blocks = filter.blocks?.length ? new Set(filter.blocks) : null;
    return (line: LogLine) =>
      line.project === filter.project &&
      line.environment === filter.environment &&
      (!blocks || blocks.has(line.block)) &&
      (filter.release === undefined || line.release === filter.release) &&
      (!filter.grep || filter.grep.test(line.text));
  };

  return {
    /** Throws what `follow` would, before a stream is opened: a bad request is an ordinary error. */
    check: (request: LogRequest): void => void filterOf(request, true),

    query: (request: LogRequest): LogLine[] => deps.store.query(filterOf(request), MAX_LINES),

    /**
     * The query's lines, then each new matching line as it is stored, across redeploys and restarts.
     * Both run in one turn of the event loop, so no line falls between them or comes twice.
     */
    follow(request: LogRequest, onLine: (line: LogLine) => void, onDone: () => void): () => void {
      const filter = filterOf(request, true);
      const history = deps.store.query(filter, MAX_LINES);
      for (const line of history) onLine(line);
      const matches = matchesLive(filter);
      const unsubscribe = deps.collector.subscribe((lines) => {
        for (const line of lines) if (matches(line)) onLine(line);
      });
      return following(onDone, unsubscribe);
    },

    accessQuery: (request: LogRequest): AccessEntry[] => deps.access.read(accessFilter(filterOf(request)), MAX_LINES),

    accessFollow(request: LogRequest, onEntry: (entry: AccessEntry) => void, onDone: () => void): () => void {
      const filter = accessFilter(filterOf(request, true));
      for (const entry of deps.access.read(filter, MAX_LINES)) onEntry(entry);
      return following(onDone, deps.access.follow({ ...filter, since: undefined, tail: undefined }, (entries) => entries.forEach(onEntry)));
    },

    /** The environment was deleted: its stored output goes with it, so a namesake created later starts empty. */
    forgetEnvironment: (project: string, environment: string) => deps.store.removeEnvironment(project, environment),

    /** Starts collecting every block's output; the stop function also ends every open follow. */
    collect(log: (line: string) => void): () => void {
      const stop = deps.collector.start(log);
      return () => {
        stop();
        for (const [end, unsubscribe] of [...open]) (unsubscribe(), end());
        open.clear();
      };
    },
  };
}

export type Logs = ReturnType<typeof createLogs>;

const accessFilter = (filter: LogFilter): AccessFilter => ({ project: filter.project, environment: filter.environment, blocks: filter.blocks, since: filter.since, until: filter.until, grep: filter.grep, tail: filter.tail });

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "10m" back from now, or an RFC 3339 time; the store's nine-digit form. */
export function parseTime(field: string, text: string, nowMs: number): string {
  const relative = /^(\d{1,6})(s|m|h|d)$/.exec(text);
  if (relative) return timeFromMs(nowMs - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS]);
  const time = normalizeTime(text);
  if (!time) throw invalid(`${field}: expected a duration such as 10m, 2h or 3d, or a time such as 2026-01-31T12:00:00Z; got ${JSON.stringify(text)}`);
  return time;
}

/** A regular expression, `(?i)` in front for any case (as in Loki and grep -i). */
export function parseGrep(text: string): RegExp {
  if (text.length > MAX_GREP) throw invalid(`grep: at most ${MAX_GREP} characters`);
  const insensitive = text.startsWith("(?i)");
  try {
    return new RegExp(insensitive ? text.slice(4) : text, insensitive ? "i" : "");
  } catch (error) {
    throw invalid(`grep: not a regular expression: ${(error as Error).message}`);
  }
}
