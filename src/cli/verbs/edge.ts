import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { loadConfig, parseQuantity } from "../../config.ts";
import { edgeFiles } from "../../edge/files.ts";
import { startEdge } from "../../edge/server.ts";
import { VERSION } from "../../version.ts";
import type { Verb } from "../verb.ts";

export const edge: Verb = {
  name: "edge",
  summary: "Run the data plane: the reverse proxy for websites and APIs (berth serve starts it)",
  async run({ configFile, out }) {
    const config = loadConfig({ file: configFile });
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    // Timestamped: this output usually ends up in logs/edge.log, not on a terminal.
    const log = (line: string) => out(`${new Date().toISOString()} ${line}`);
    log(`berth ${VERSION}: edge starting (pid ${process.pid}, data in ${config.dataDir})`);
    const running = startEdge({ dataDir: config.dataDir, listen: config.edgeListen, metricsListen: config.edgeMetricsListen, domain: config.domain, trustedProxies: config.edgeTrustedProxies, log,
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
  },
};
