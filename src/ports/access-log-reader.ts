import type { AccessEntry } from "../lib/access-log.ts";

export interface AccessFilter {
  project: string;
  environment: string;
  blocks?: string[];
  /** RFC 3339 bounds, inclusive. */
  since?: string;
  until?: string;
  /** Tested against the entry's JSON line. */
  grep?: RegExp;
  tail?: number;
}

/** The edge's access log, read by the control plane. */
export interface AccessLogReader {
  /** Matching entries, oldest first, at most `limit`. */
  read(filter: AccessFilter, limit: number): AccessEntry[];
  /** New matching entries as the edge writes them; returns the stop function. */
  follow(filter: AccessFilter, onEntries: (entries: AccessEntry[]) => void): () => void;
}
