import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { ConfigError, loadConfig, parseQuantity, type Config } from "../config.ts";
import { VERSION } from "../version.ts";
import { createAccessLog } from "./access-log.ts";
import { edgeFiles } from "./files.ts";
import { createEdgeMetrics } from "./metrics.ts";
import { startEdge, type EdgeOptions } from "./server.ts";
import { edgeCommand } from "./supervisor.ts";
import { startWorkers, workerLink } from "./workers.ts";

const settingsOf = (config: Config, log: (line: string) => void): EdgeOptions => ({
  dataDir: config.dataDir,
  listen: config.edgeListen,
  httpsListen: config.edgeHttpsListen,
  consoleHost: config.consoleHost,
  apiListen: config.apiListen,
  metricsListen: config.edgeMetricsListen,
  domain: config.domain,
  trustedProxies: config.edgeTrustedProxies,
  log,
});

const untilSignal = () =>
  new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });


/**
 * `berth edge`: the data plane's process. main.ts comes here without loading the CLI's verb
 * table, so this process holds the proxy and what it needs, not the control plane
 * (test/edge-entry.test.ts keeps it that way): less memory, shorter GC pauses.
 */
export async function runEdge(options: { configFile?: string; out: (line: string) => void; worker?: number }): Promise<number> {
  const { out } = options;
  const config = loadConfig({ file: options.configFile });
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  // Timestamped: this output usually ends up in logs/edge.log, not on a terminal.
  const log = (line: string) => out(`${new Date().toISOString()} ${line}`);
  if (options.worker) return runWorker(config, options.worker, log);
  log(`berth ${VERSION}: edge starting (pid ${process.pid}, data in ${config.dataDir}${config.edgeWorkers > 1 ? `, ${config.edgeWorkers} processes` : ""})`);
  const metrics = createEdgeMetrics();
  const accessLog = config.edgeAccessLog === "on" ? createAccessLog(edgeFiles(config.dataDir).access, parseQuantity(config.edgeAccessLogSize), log) : undefined;
  let workers: ReturnType<typeof startWorkers> | null = null;
  // Closed here, after the workers: their last lines come through this process.
  const sharedLog = accessLog && { write: accessLog.write, close: () => {} };
  const relaySecret = config.edgeWorkers > 1 ? randomBytes(24).toString("hex") : undefined;
  const running = await startEdge({ ...settingsOf(config, log), metrics, accessLog: sharedLog, relaySecret, beforeScrape: () => workers?.collect() ?? Promise.resolve() });
  if (relaySecret && running.relayPort) {
    workers = startWorkers({ count: config.edgeWorkers - 1, command: edgeCommand(options.configFile), metrics, accessLog, relay: { port: running.relayPort, secret: relaySecret, httpsPort: running.httpsPort ?? null }, log });
  }

  const pidFile = edgeFiles(config.dataDir).pid;
  writeFileSync(`${pidFile}.tmp`, `${process.pid}\n`, { mode: 0o644 });
  renameSync(`${pidFile}.tmp`, pidFile);

  const signal = await untilSignal();
  log(`edge: ${signal}, finishing requests in flight`);
  await Promise.all([running.stop(), workers?.stop()]);
  accessLog?.close();
  // Only our own pid file: a newer edge may already have taken over.
  try {
    if (readFileSync(pidFile, "utf8").trim() === String(process.pid)) rmSync(pidFile);
  } catch {} // already gone
  log("edge: stopped");
  return 0;
}

/** One more process on the HTTP port; the first one started it, and it ends when that one does. */
async function runWorker(config: Config, id: number, parentLog: (line: string) => void): Promise<number> {
  const log = (line: string) => parentLog(line.replace(/^edge: /, `edge worker ${id}: `));
  const metrics = createEdgeMetrics();
  let orphaned: () => void = () => {};
  const gone = new Promise<string>((resolve) => (orphaned = () => resolve("the first edge process is gone")));
  const link = workerLink({ metrics, onOrphaned: () => orphaned() });
  const relayTo = await Promise.race([link.relay, gone.then(() => null)]);
  if (!relayTo) return 0;
  const running = await startEdge({ ...settingsOf(config, log), role: "worker", metrics, relayTo, accessLog: config.edgeAccessLog === "on" ? link.accessLog : undefined });
  link.ready();
  const why = await Promise.race([untilSignal(), gone]);
  log(`edge: ${why}, finishing requests in flight`);
  await running.stop();
  link.close();
  return 0;
}

/** Runs the edge, reporting a bad setting the way the CLI does: one line, exit status 1. */
export function runEdgeCommand(configFile: string | undefined, worker?: number): Promise<number> {
  return runEdge({ configFile, worker, out: (line) => console.log(line) }).catch((error) => {
    console.error(error instanceof ConfigError ? error.message : `error: ${(error as Error).message}`);
    return 1;
  });
}
