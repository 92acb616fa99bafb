import { createAccessLogReader } from "./adapters/logs/access-log-reader.ts";
import { createSegmentStore } from "./adapters/logs/segment-store.ts";
import { dataFiles, parseQuantity, type Config } from "./config.ts";
import { createLogCollector } from "./core/logs/collector.ts";
import { createLogs, type Logs } from "./core/logs/logs.ts";
import type { ContainerLogSource } from "./ports/container-logs.ts";
import type { ProjectStore } from "./ports/project-store.ts";
import type { Runtime } from "./ports/runtime.ts";

/**
 * The composition root's part for `berth logs`: which adapters serve the log ports (app.ts calls
 * it, with the source of the runtime in use: the engine's containers, or the cluster's pods).
 */
export function createBlockLogs(config: Config, deps: { source: ContainerLogSource; projects: ProjectStore; runtime: Pick<Runtime, "watch"> }): Logs {
  const files = dataFiles(config);
  const store = createSegmentStore({ dir: files.blockLogs, blockBytes: parseQuantity(config.logBlockMax), totalBytes: parseQuantity(config.logTotalMax) });
  const collector = createLogCollector({
    source: deps.source,
    store,
    watch: (onChange, log) => deps.runtime.watch(() => onChange(), log),
    // Names only: loading the project would parse every block's spec, once per environment per pass.
    known: (project, environment) => deps.projects.listProjects().some((p) => p.name === project && p.environments.includes(environment)),
  });
  const logs = createLogs({ projects: deps.projects, store, collector, access: createAccessLogReader(files.accessLogs) });
  return {
    ...logs,
    collect(log) {
      const stop = logs.collect(log);
      return () => (stop(), store.close());
    },
  };
}
