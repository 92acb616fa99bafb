/** One line a block's container wrote, as Berth keeps it. */
export interface LogLine {
  /** RFC 3339 UTC with nine fraction digits, so text order is time order. */
  time: string;
  project: string;
  environment: string;
  block: string;
  /** Replica index within its release, 0 for the first. */
  replica: number;
  release: number;
  /** Short (12 character) container id: tells apart the replicas of two releases. */
  container: string;
  stream: "stdout" | "stderr";
  text: string;
}

/** A container Berth manages, as the engine lists it (running or not). */
export interface LoggedContainer {
  id: string;
  project: string;
  environment: string;
  block: string;
  replica: number;
  release: number;
  running: boolean;
}

/** A line as the engine hands it over, before Berth labels it. */
export interface RawLine {
  time: string;
  stream: "stdout" | "stderr";
  text: string;
}

/** The engine's side of log collection: which containers exist, and their output. */
export interface ContainerLogSource {
  /** Every Berth-managed container, stopped ones included. */
  list(): Promise<LoggedContainer[]>;
  /**
   * Reads a container's output from `since` (exclusive; RFC 3339, or everything when null) and
   * keeps reading while it runs; `onEnd` once the stream closes (the container stopped or went).
   */
  follow(id: string, since: string | null, onLines: (lines: RawLine[]) => void, onEnd: () => void): () => void;
}

/** Which lines a query wants; every field but the environment narrows it. */
export interface LogFilter {
  project: string;
  environment: string;
  /** None or empty: every block of the environment. */
  blocks?: string[];
  /** RFC 3339 bounds, inclusive. */
  since?: string;
  until?: string;
  grep?: RegExp;
  release?: number;
  /** The newest this many lines; without it, the oldest lines first up to the store's answer cap. */
  tail?: number;
}

/** Berth's own bounded store of block output: segment files per block, each with its time range. */
export interface BlockLogStore {
  append(lines: LogLine[]): void;
  /** Matching lines in time order, at most `limit`. */
  query(filter: LogFilter, limit: number): LogLine[];
  /** The blocks of an environment that have stored lines. */
  blocks(project: string, environment: string): string[];
  /** Per container, the time of its last stored line: where collection resumes. */
  cursor(container: string): string | null;
  /** Drops the cursors of containers not in `keep` (they were removed). */
  pruneCursors(keep: Set<string>): void;
  /** Deletes every stored line of an environment (it was deleted). */
  removeEnvironment(project: string, environment: string): void;
  /** Writes what is buffered (cursors) and closes files. */
  close(): void;
}
