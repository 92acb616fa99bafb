import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { ConfigError, loadConfig, parseQuantity } from "../config.ts";
import { VERSION } from "../version.ts";
import { edgeFiles } from "./files.ts";
import { startEdge } from "./server.ts";

/**
 * `berth edge`: the data plane's process. main.ts comes here without loading the CLI's verb
 * table, so this process holds the proxy and what it needs, not the control plane
 * (test/edge-entry.test.ts keeps it that way): less memory, shorter GC pauses.
 */
export async function runEdge(options: { configFile?: string; out: (line: string) => void }): Promise<number> {
  const { out } = options;
  const config = loadConfig({ file: options.configFile });
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  // Timestamped: this output usually ends up in logs/edge.log, not on a terminal.
  const log = (line: string) => out(`${new Date().toISOString()} ${line}`);
  log(`berth ${VERSION}: edge starting (pid ${process.pid}, data in ${config.dataDir})`);
  const running = await startEdge({
    dataDir: config.dataDir,
    listen: config.edgeListen,
    httpsListen: config.edgeHttpsListen,
    consoleHost: config.consoleHost,
    apiListen: config.apiListen,
    metricsListen: config.edgeMetricsListen,
    domain: config.domain,
    trustedProxies: config.edgeTrustedProxies,
    log,
    accessLog: config.edgeAccessLog === "on" ? { dir: edgeFiles(config.dataDir).access, maxBytes: parseQuantity(config.edgeAccessLogSize) } : undefined,
  });

  const pidFile = edgeFiles(config.dataDir).pid;
  writeFileSync(`${pidFile}.tmp`, `${process.pid}\n`, { mode: 0o644 });
  renameSync(`${pidFile}.tmp`, pidFile);

  const signal = await new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  log(`edge: ${signal}, finishing requests in flight`);
  await running.stop();
  // Only our own pid file: a newer edge may already have taken over.
  try {
    if (readFileSync(pidFile, "utf8").trim() === String(process.pid)) rmSync(pidFile);
  } catch {} // already gone
  log("edge: stopped");
  return 0;
}

/** Runs the edge, reporting a bad setting the way the CLI does: one line, exit status 1. */
export function runEdgeCommand(configFile: string | undefined): Promise<number> {
  return runEdge({ configFile, out: (line) => console.log(line) }).catch((error) => {
    console.error(error instanceof ConfigError ? error.message : `error: ${(error as Error).message}`);
    return 1;
  });
}
