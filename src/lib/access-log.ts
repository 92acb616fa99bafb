import { join } from "node:path";

/** One request the edge answered, as one JSON line of its access log. */
export interface AccessEntry {
  /** RFC 3339 UTC, milliseconds. */
  time: string;
  project: string;
  environment: string;
  block: string;
  host: string;
  method: string;
  /** Without the query string: it often carries tokens and personal data. */
  path: string;
  status: number;
  /** The response's Content-Length; null when it streamed without one. */
  bytes: number | null;
  /** Request to response headers, in ms. */
  durationMs: number;
  /** host:port of the replica that answered; null when the edge answered itself (auth, 503). */
  upstream: string | null;
  requestId: string | null;
  clientIp: string;
}

/** The live file and its rotated predecessors, newest first: access.log, access.log.1, … */
export const ACCESS_LOG_KEEP = 4;
export const accessLogFiles = (dir: string): string[] => [join(dir, "access.log"), ...Array.from({ length: ACCESS_LOG_KEEP - 1 }, (_, i) => join(dir, `access.log.${i + 1}`))];
