import type { ProjectStore } from "../../ports/project-store.ts";
import type { ReleaseStore, RouteRow, RouteStore } from "../../ports/release-store.ts";
import type { BlockRuntimeStatus, EnvironmentRef, Runtime } from "../../ports/runtime.ts";
import type { BlockSpec } from "../project-file/schema.ts";
import { routesFor, type Place } from "./routes.ts";

export interface RouteSyncDeps {
  projects: ProjectStore;
  releases: ReleaseStore;
  routes: RouteStore;
  runtime: Runtime;
  domain: string;
  /** True while a deploy of the environment runs: its rollout switches routes itself. */
  deploying(project: string, environment: string): boolean;
}

/** Engine events come in bursts (die, then start): one read of the environment after the burst. */
const SETTLE_MS = 100;
/** States whose serving replicas should get the traffic; a block halfway through a replace is left alone. */
const SERVING = new Set<BlockRuntimeStatus["state"]>(["running", "failed", "crashloop"]);
const key = (r: RouteRow) => JSON.stringify([r.host, r.pathPrefix, r.auth, r.upstreams.map((u) => `${u.host}:${u.port}`).sort(), r.https ?? "redirect", r.hsts ?? false]);

/**
 * Level-based: points every route at what runs now. Published ports change when a container
 * restarts, so routes are rewritten from the engine, never from memory or from the event that
 * asked for it. Each block is routed as the release its running replicas belong to says, which
 * may be a release a stopped server never finished. Syncs run one at a time.
 */
export function createRouteSync(deps: RouteSyncDeps) {
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(task: () => Promise<T>): Promise<T> => {
    const result = queue.then(task);
    queue = result.catch(() => undefined);
    return result;
  };

  async function syncEnvironment(project: string, environment: string): Promise<number> {
    // A stopped environment keeps its routes with no upstream: the edge says it is stopped.
    if (deps.deploying(project, environment) || deps.projects.stoppedSince(project, environment)) return 0;
    const running = await deps.runtime.status(project, environment, { crashes: false });
    if (!running.length) return 0;
    const releases = deps.releases.listReleases(project, environment, 50);
    const current = deps.releases.currentRelease(project, environment);
    // A later deployed release that left a block's containers as they were still decides its routes
    // (domains, password, https can change without a new container).
    const specOf = (block: string, release: number | null): BlockSpec | undefined =>
      ((current && (release === null || current.number >= release) ? current.blocks.find((b) => b.name === block) : undefined) ??
        releases.find((r) => r.number === release)?.blocks.find((b) => b.name === block) ??
        current?.blocks.find((b) => b.name === block))?.spec;
    const stored = deps.routes.listRoutes(project, environment);
    const place: Place = { project, environment, domain: deps.domain };
    let changed = 0;
    for (const observed of running) {
      if (!SERVING.has(observed.state) || !observed.upstreams.length) continue;
      const spec = specOf(observed.block, observed.release);
      if (!spec) continue;
      const want = routesFor(place, observed.block, spec, observed.upstreams);
      const have = stored.filter((r) => r.block === observed.block);
      if (have.map(key).sort().join() !== want.map(key).sort().join()) {
        deps.routes.replaceBlockRoutes(project, environment, observed.block, want);
        changed++;
      }
    }
    return changed;
  }

  async function syncAll(): Promise<number> {
    let changed = 0;
    for (const { name: project, environments } of deps.projects.listProjects()) {
      for (const environment of environments) changed += await syncEnvironment(project, environment);
    }
    return changed;
  }

  return {
    /** Every environment; returns how many blocks got new routes. */
    all: () => serially(syncAll),
    environment: (ref: EnvironmentRef) => serially(() => syncEnvironment(ref.project, ref.environment)),

    /** Re-syncs an environment shortly after the runtime reports a change in it (everything after a lost feed). */
    follow(log: (line: string) => void): () => void {
      const pending = new Map<string, ReturnType<typeof setTimeout>>();
      const report = (what: string) => (changed: number) => changed > 0 && log(`routes: ${changed} block(s) of ${what} now point at what runs`);
      const failed = (error: Error) => log(`routes: not refreshed: ${error.message.split("\n")[0]}`);
      // The engine may run other installs' containers; only environments of this one are read.
      const ours = (ref: EnvironmentRef) => deps.projects.listProjects().some((p) => p.name === ref.project && p.environments.includes(ref.environment));
      const stop = deps.runtime.watch((ref) => {
        const id = ref ? `${ref.project}/${ref.environment}` : "*";
        // Trailing: a crash is a die then a start a moment later, and only the read after the start sees the new port.
        clearTimeout(pending.get(id));
        pending.set(
          id,
          setTimeout(() => {
            pending.delete(id);
            // Asked once per burst, not per event: a rollout of 100 blocks sends hundreds of events.
            if (ref && !ours(ref)) return;
            (ref ? serially(() => syncEnvironment(ref.project, ref.environment)) : serially(syncAll)).then(report(ref ? id : "every environment"), failed);
          }, SETTLE_MS),
        );
      }, log);
      return () => {
        stop();
        for (const timer of pending.values()) clearTimeout(timer);
        pending.clear();
      };
    },
  };
}
