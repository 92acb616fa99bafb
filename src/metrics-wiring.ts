import type Docker from "dockerode";
import { createEdgeScrape } from "./adapters/edge/edge-scrape.ts";
import { createHostStats } from "./adapters/host/host-stats.ts";
import { createStatsReader } from "./adapters/runtime/docker/stats.ts";
import { createActivityStore } from "./adapters/store/activity-store.ts";
import type { Db } from "./adapters/store/db.ts";
import { createMetricsStore } from "./adapters/store/metrics-store.ts";
import { localUrl, parseQuantity, type Config } from "./config.ts";
import { createDiskWatch } from "./core/metrics/disk-watch.ts";
import { createMetrics } from "./core/metrics/metrics.ts";
import { createSampler } from "./core/metrics/sampler.ts";
import type { ProjectStore } from "./ports/project-store.ts";

/** Part of the composition root (app.ts): the metrics service and what it samples from. */
export function createMetricsService(db: Db, docker: Docker, config: Config, projects: ProjectStore) {
  const store = createMetricsStore(db);
  const intervalMs = parseQuantity(config.metricsInterval);
  const sampler =
    intervalMs > 0
      ? createSampler({
          store,
          intervalMs,
          sources: {
            replicas: createStatsReader(docker, () => new Set(projects.listProjects().map((p) => p.name))),
            edge: createEdgeScrape(localUrl(config.edgeMetricsListen)),
            host: createHostStats(config.dataDir, async () => ((await docker.info()) as { DockerRootDir?: string }).DockerRootDir ?? null),
          },
          onHost: createDiskWatch(config.diskWarnPercent),
        })
      : null;
  return createMetrics({ store, projects, sampler, activity: createActivityStore(db), intervalMs: intervalMs || 10_000, diskWarnPercent: config.diskWarnPercent });
}
