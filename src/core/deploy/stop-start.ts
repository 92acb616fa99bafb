import type { ProjectStore } from "../../ports/project-store.ts";
import type { ReleaseOrigin, ReleaseRecord, ReleaseStore, RouteStore } from "../../ports/release-store.ts";
import type { Runtime } from "../../ports/runtime.ts";
import { BerthError } from "../errors.ts";
import type { ImageChoice } from "./pipeline.ts";

export interface StopStartDeps {
  projects: ProjectStore;
  releases: ReleaseStore;
  routes: RouteStore;
  runtime: Runtime;
  /** How long the edge may take to see a route change. */
  edgeSyncMs: number;
  checkIdle(project: string, environment: string): string;
  /** Holds the environment (no deploy starts meanwhile) while `task` runs. */
  exclusively<T>(project: string, environment: string, doing: string, task: () => Promise<T>): Promise<T>;
  fromImages(project: string, environment: string, images: Map<string, ImageChoice>, origin: ReleaseOrigin, note: string): ReleaseRecord;
}

/** Shutting an environment down without losing it, and bringing its live release back. */
export function createStopStart(deps: StopStartDeps) {
  async function stopNow(project: string, environment: string): Promise<{ stoppedAt: string }> {
    // Marked first: route syncs triggered by the containers going away leave a stopped environment alone.
    if (!deps.projects.stoppedSince(project, environment)) deps.projects.setStopped(project, environment, true);
    // Routes first: once the edge has seen them, requests get the stopped page, never a dead upstream.
    const byBlock = Map.groupBy(deps.routes.listRoutes(project, environment), (r) => r.block);
    for (const [block, rows] of byBlock) {
      deps.routes.replaceBlockRoutes(project, environment, block, rows.map(({ block: _block, ...r }) => ({ ...r, upstreams: [] })));
    }
    await Bun.sleep(deps.edgeSyncMs);
    await deps.runtime.stop(project, environment);
    return { stoppedAt: deps.projects.stoppedSince(project, environment)! };
  }

  return {
    /**
     * Removes the environment's containers (volumes stay) and keeps its routes with no upstream,
     * so the edge answers 503 naming the environment as stopped instead of "no site".
     */
    /** Idempotent: stopping a stopped environment removes whatever an interrupted stop left running. */
    async stop(project: string, environment: string): Promise<{ stoppedAt: string }> {
      return deps.exclusively(project, environment, "being stopped", () => stopNow(project, environment));
    },

    /** A new release of the live release's images and today's config: no build. */
    start(project: string, environment: string, origin: ReleaseOrigin = {}): ReleaseRecord {
      const key = deps.checkIdle(project, environment);
      if (!deps.projects.stoppedSince(project, environment)) throw new BerthError("conflict", `${key} is not stopped`);
      const live = deps.releases.currentRelease(project, environment);
      if (!live) throw new BerthError("invalid", `${key} has no live release to start: deploy it`);
      const images = new Map(live.blocks.map((b): [string, ImageChoice] => [b.name, { image: b.image, imageId: b.imageId, commit: b.commit }]));
      return deps.fromImages(project, environment, images, { ...origin, source: "start" }, `starting ${key} with release ${live.number}'s images, no build`);
    },
  };
}
