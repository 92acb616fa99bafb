import { join } from "node:path";
import type { Config } from "../config.ts";

export const DEFAULT_METRICS_LISTEN = "127.0.0.1:9464";

/** Where the edge process leaves its pid and log, beside the state it reads. */
export const edgeFiles = (dataDir: string) => ({ pid: join(dataDir, "edge.pid"), log: join(dataDir, "logs", "edge.log") });

export const metricsListenOf = (config: Config): string => config.edgeMetricsListen;

/** A URL this machine can reach a listener at, even when it listens on every address. */
export function localUrl(listen: string): string {
  const i = listen.lastIndexOf(":");
  const host = listen.slice(0, i);
  const reachable = host === "0.0.0.0" ? "127.0.0.1" : host === "[::]" || host === "::" ? "[::1]" : host;
  return `http://${reachable}:${listen.slice(i + 1)}`;
}
