import type { BuildLogStore } from "../../ports/build-store.ts";
import type { ImageBuilder } from "../../ports/image-builder.ts";
import type { ProjectStore } from "../../ports/project-store.ts";
import type { ReleaseBlock, ReleaseOrigin, ReleaseRecord, ReleaseStore, RouteStore } from "../../ports/release-store.ts";
import type { Runtime } from "../../ports/runtime.ts";
import type { Builds } from "../builds/builds.ts";
import { LogChannel } from "../builds/log-channel.ts";
import { BerthError, conflict, notFound } from "../errors.ts";
import { secretRedactor } from "../redact.ts";
import { resolveBlock } from "../project-file/resolve.ts";
import type { Variables } from "../variables.ts";
import { checkOwnImage } from "../builds/image-owner.ts";
import { LABELS } from "../builds/image-name.ts";
import { watchForCrashes } from "./crash-watch.ts";
import { createPipeline, type ImageChoice } from "./pipeline.ts";
import { type BlockDefaults, blockPlan, inStartOrder } from "./plan.ts";
import { createRouteSync } from "./route-sync.ts";
import { createStopStart } from "./stop-start.ts";
import { maskSecrets } from "./release-view.ts";
import { configChangedSince } from "./config-drift.ts";
import { withReplicas } from "./scale.ts";
import { blockUrl, routesFor, type HttpsEdge, type Place } from "./routes.ts";
import { keepRoutes } from "./kept-routes.ts";
import { type CatalogImages, templateNamed } from "../catalog/catalog.ts";
import { checkVersionChange, withTemplate } from "../catalog/expand.ts";
import { wiredVariables } from "../catalog/wiring.ts";

export interface DeployDeps {
  projects: ProjectStore;
  releases: ReleaseStore;
  routes: RouteStore;
  logs: BuildLogStore;
  builds: Builds;
  variables: Variables;
  images: Pick<ImageBuilder, "findImage" | "listImages"> & { pullImage(reference: string): Promise<string> };
  runtime: Runtime;
  domain: string;
  /** The edge's public port, for the URLs status prints. */
  edgePort: number;
  /** The edge's HTTPS listener, so status shows https URLs for hosts with a certificate. */
  https?: HttpsEdge;
  /** How long the edge may take to see a route change; old replicas keep serving meanwhile. */
  edgeSyncMs: number;
  /** Limits and stop grace of blocks that set none. */
  blockDefaults?: BlockDefaults;
  /** How long after a rollout a crash of a new replica still fails the release (0: not watched). */
  crashWatchMs?: number;
  /** Runs after the release's images are ready and before anything starts (pre-deploy jobs); a throw fails the release. */
  beforeRollout?(release: ReleaseRecord, say: (line: string) => void): Promise<void>;
  /** Runs once the release is live (post-deploy jobs); never fails it. */
  afterRollout?(release: ReleaseRecord, say: (line: string) => void): Promise<void>;
  /** Hears each release that finished (deployed or failed); must return at once and never throw. */
  onFinished?: (release: ReleaseRecord) => void;
  /** Mirrors of the catalog's official images, by template name (BERTH_CATALOG_IMAGE_<TEMPLATE>). */
  catalogImages?: CatalogImages;
}

export interface DeployOptions {
  /** A catalog service may move to a new major version (its data may need migrating). */
  allowMajor?: boolean;
}

/** What started a deploy and who, e.g. `{ source: "push 1a2b3c4", actor: "webhook" }`: recorded in the release. */
export type DeployOrigin = ReleaseOrigin;

const FINISHED = new Set(["deployed", "failed"]);
const oneLine = (message: string) => message.split("\n").find((l) => l.trim() !== "")?.trim() ?? "unknown error";

export function createDeployments(deps: DeployDeps) {
  const channel = new LogChannel<ReleaseRecord>(deps.logs);
  /** Environments something changes now (a release rolling out, a stop), with what to tell whoever else tries. */
  const active = new Map<string, string>();
  const routeSync = createRouteSync({ ...deps, deploying: (project, environment) => active.has(`${project}/${environment}`) });
  /** Who wants to hear that an environment may have changed (status streams), by "project/env". */
  const watchers = new Map<string, Set<() => void>>();
  const changed = (project: string, environment: string) => {
    for (const watcher of watchers.get(`${project}/${environment}`) ?? []) watcher();
  };

  /** Each block's image for this environment: built from git (a cache hit is instant) or a ready image. */
  async function collectImages(release: ReleaseRecord, say: (line: string) => void, options: DeployOptions = {}): Promise<ReleaseBlock[]> {
    const file = deps.projects.loadProject(release.project)!;
    const blocks: ReleaseBlock[] = [];
    const live = deps.releases.currentRelease(release.project, release.environment);
    let builtByBerth: Promise<{ id: string; labels: Record<string, string> }[]> | undefined;
    // One engine lookup per image, not per block: a hundred blocks of one image asked a hundred times, one after another.
    const found = new Map<string, Promise<string | null>>();
    const findImage = (image: string) => found.get(image) ?? found.set(image, deps.images.findImage(image)).get(image)!;
    for (const name of Object.keys(file.blocks)) {
      const spec = withTemplate(resolveBlock(file, release.environment, name), deps.catalogImages);
      checkVersionChange(name, live?.blocks.find((b) => b.name === name)?.spec, spec, options.allowMajor ?? false);
      if (spec.git) {
        const started = deps.builds.start({ project: release.project, block: name, environment: release.environment });
        say(`${name}: build #${started.id}`);
        const stop = deps.builds.follow(started.id, (line) => say(`${name} | ${line}`), () => {});
        const build = await deps.builds.wait(started.id);
        stop();
        if (build.status !== "succeeded") throw new BerthError("invalid", `build #${build.id} of ${name} ${build.status}: ${build.reason}`);
        blocks.push({ name, image: build.image!, imageId: build.imageId!, commit: build.commit, spec });
      } else {
        const image = spec.image!;
        let imageId = await findImage(image);
        if (!imageId) {
          say(`${name}: pulling ${image}`);
          imageId = await deps.images.pullImage(image);
          found.set(image, Promise.resolve(imageId));
        }
        // Apply refuses other projects' images by name; this also catches an id or another tag of one.
        builtByBerth ??= deps.images.listImages({ [LABELS.managed]: "true" });
        const built = (await builtByBerth).find((i) => i.id === imageId);
        checkOwnImage(release.project, image, built?.labels ?? null);
        blocks.push({ name, image, imageId, commit: null, spec });
      }
    }
    return blocks;
  }

  /** Hands the frozen release to the runtime; routes switch block by block as replicas turn healthy. */
  async function roll(release: ReleaseRecord, say: (line: string) => void, switched: Set<string>, restart: string[] | undefined, deployJobs: boolean) {
    const place: Place = { project: release.project, environment: release.environment, domain: deps.domain };
    const specs = new Map(release.blocks.map((b) => [b.name, b.spec]));
    // Jobs are in the release for their images; they run to completion (core/jobs), never as replicas.
    const running = release.blocks.filter((b) => b.spec.kind !== "job");
    const plans = inStartOrder(running.map((b) => ({ ...b, kind: b.spec.kind }))).map((b) => {
      const ref = { project: release.project, environment: release.environment, block: b.name };
      const { env, fingerprint, dependsOn } = wiredVariables(deps.variables, ref, b, release.blocks);
      return blockPlan(b, env, fingerprint, deps.blockDefaults, dependsOn);
    });
    /** When traffic last moved to a replica of this release: the crash watch's window opens then. */
    let lastSwitch: number | undefined;
    const outcomes = await deps.runtime.apply(
      { project: release.project, environment: release.environment, release: release.number, blocks: plans, restart, deployJobs },
      {
        log: say,
        async switchTraffic(block, upstreams) {
          const spec = specs.get(block);
          const rows = spec ? routesFor(place, block, spec, upstreams) : [];
          const held = deps.routes.hostHolders(rows.map((r) => r.host)).find((h) => h.project !== place.project || h.environment !== place.environment);
          if (held) throw conflict(`${held.host} is already routed to block ${held.block} of project "${held.project}", environment ${held.environment}`);
          deps.routes.replaceBlockRoutes(place.project, place.environment, block, rows);
          switched.add(block);
          await Bun.sleep(deps.edgeSyncMs);
          lastSwitch = Date.now();
        },
      },
    );
    const failed = outcomes.find((o) => !o.ok);
    if (failed) throw new BerthError("invalid", failed.reason ?? `${failed.block} failed`);
    // Blocks whose containers stayed as they were got no switch, but their routes follow this release too.
    const kept = outcomes.filter((o) => !switched.has(o.block) && o.upstreams.length);
    keepRoutes(deps.routes, place, kept.map((o) => ({ block: o.block, spec: specs.get(o.block), upstreams: o.upstreams })));
    const crashed = await watchForCrashes({ runtime: deps.runtime, project: place.project, environment: place.environment, release: release.number, windowMs: deps.crashWatchMs ?? 0, since: lastSwitch, say });
    if (crashed) throw new BerthError("invalid", crashed);
  }

  /** What a release runs: images built or found now (a deploy), or given (restart, scale, promote, rollback: no build). */
  type Collect = (release: ReleaseRecord, say: (line: string) => void) => Promise<ReleaseBlock[]>;

  /** Each block keeps the variables it runs with (secrets sealed): today's, unless the caller chose a release's. */
  const withConfig = (release: ReleaseRecord, blocks: ReleaseBlock[]): ReleaseBlock[] => {
    const { project, environment } = release;
    for (const b of blocks) {
      // A catalog service's credentials exist from its first release in the environment on.
      const template = templateNamed(b.spec.template);
      if (template && !b.vars) deps.variables.ensureCredentials({ project, environment, block: b.name }, template.credentials);
    }
    // All blocks at once: read per block, a release of 100 blocks read the project 200 times.
    const file = blocks.some((b) => !b.vars || !b.fingerprint) ? deps.projects.loadProject(project) : null;
    const today = file ? deps.variables.recordAll(project, environment, file) : new Map<string, never>();
    return blocks.map((b) => {
      const ref = { project, environment, block: b.name };
      const now = today.get(b.name);
      return { ...b, vars: b.vars ?? now?.vars ?? deps.variables.snapshot(ref), fingerprint: b.fingerprint ?? now?.fingerprint ?? deps.variables.fingerprint(ref) };
    });
  };

  async function run(release: ReleaseRecord, collect: Collect = collectImages, restart?: string[], runJobs = collect === collectImages) {
    // Engine errors quote what they were given, secret values included: nothing stored or shown carries them.
    let redact = secretRedactor(deps.variables.secretValues(release.project, release.environment));
    const say = (line: string) => {
      channel.write(release.id, redact(line));
      changed(release.project, release.environment);
    };
    const switched = new Set<string>();
    let rolling = false;
    let final: ReleaseRecord;
    try {
      say(`release ${release.number} of ${release.project}/${release.environment}`);
      const frozen = deps.releases.freezeRelease(release.id, withConfig(release, await collect(release, say)));
      // A first deploy of a catalog service generated its credentials just now: they are secrets too.
      redact = secretRedactor(deps.variables.secretValues(release.project, release.environment));
      if (runJobs) await deps.beforeRollout?.(frozen, say);
      say(`rolling out ${frozen.blocks.length} block(s)`);
      rolling = true;
      await roll(frozen, say, switched, restart, runJobs);
      if (runJobs) await deps.afterRollout?.(frozen, say);
      final = deps.releases.finishRelease(release.id, "deployed", null);
      // A stopped environment runs again once any release of it is live.
      deps.projects.setStopped(release.project, release.environment, false);
      say(`release ${release.number} deployed`);
    } catch (error) {
      final = deps.releases.finishRelease(release.id, "failed", redact(oneLine((error as Error).message)));
      if (rolling) await discardStarted(release, switched, say);
      say(`release ${release.number} failed: ${final.reason}`);
    }
    const shown = maskSecrets(final);
    try {
      deps.onFinished?.(shown);
    } catch (error) {
      // A listener's fault must not keep the release's followers waiting forever.
      say(`after release ${release.number}: ${oneLine((error as Error).message)}`);
    }
    channel.close(release.id, shown);
    changed(shown.project, shown.environment);
  }

  /** A failed release leaves nothing of its own running but the blocks already serving traffic. */
  async function discardStarted(release: ReleaseRecord, serving: Set<string>, say: (line: string) => void) {
    try {
      const removed = await deps.runtime.discardRelease(release.project, release.environment, release.number, [...serving]);
      if (removed > 0) say(`removed ${removed} container(s) this release started`);
    } catch (error) {
      say(`could not remove the containers this release started: ${oneLine((error as Error).message)}`);
    }
  }

  /**
   * A new release of the live release's images, with no build: a rolling restart of some
   * blocks (all when none is named), or new replica counts (scale). Zero downtime, like a deploy.
   */
  function redeployLive(project: string, environment: string, change: { restart?: string[]; replicas?: Record<string, number> }, origin?: ReleaseOrigin): ReleaseRecord {
    const key = checkIdle(project, environment);
    const live = deps.releases.currentRelease(project, environment);
    if (!live) throw new BerthError("invalid", `${key} has no live release yet: deploy it first`);
    // Jobs ride along (the new release keeps their images) but are never restarted or scaled.
    const names = new Set(live.blocks.filter((b) => b.spec.kind !== "job").map((b) => b.name));
    for (const name of [...(change.restart ?? []), ...Object.keys(change.replicas ?? {})]) {
      if (!names.has(name)) throw notFound(`block "${name}" in the live release of ${key}`);
    }
    // Today's variables, like a deploy: the recorded ones stay with the release that made them.
    const blocks = live.blocks.map(({ vars: _vars, fingerprint: _fingerprint, ...b }) => (change.replicas?.[b.name] === undefined ? b : { ...b, spec: { ...b.spec, replicas: change.replicas[b.name] } }));
    const restart = change.restart && (change.restart.length ? change.restart : [...names]);
    const collect: Collect = async (_, say) => {
      say(restart ? `restarting ${restart.join(", ")} with the images of release ${live.number}` : `release ${live.number}'s images, no build`);
      return blocks;
    };
    return start(key, project, environment, collect, restart, { source: change.replicas ? "scale" : "restart", ...origin });
  }

  /**
   * A release of given images with the environment's own config today (overrides, replicas,
   * domains), and today's variables unless an image choice carries recorded ones: no build.
   * `runJobs`: the images are new to this environment (a
   * promote), so its pre- and post-deploy jobs run, as Heroku's release phase runs on promote;
   * rollback and start reuse images whose jobs ran here already.
   */
  function fromImages(project: string, environment: string, images: Map<string, ImageChoice>, origin: ReleaseOrigin, note: string, runJobs = false): ReleaseRecord {
    const key = checkIdle(project, environment);
    const file = loadEnvironment(project, environment);
    const blocks: ReleaseBlock[] = [];
    for (const name of Object.keys(file.blocks)) {
      // Job blocks too: their runs and schedules take the live release's image.
      const spec = withTemplate(resolveBlock(file, environment, name), deps.catalogImages);
      const chosen = images.get(name);
      if (!chosen) throw new BerthError("invalid", `block "${name}" has no image to run in ${key}: deploy ${environment} first`);
      blocks.push({ name, image: chosen.image, imageId: chosen.imageId, commit: chosen.commit, spec, ...(chosen.vars && { vars: chosen.vars, fingerprint: chosen.fingerprint }) });
    }
    const collect: Collect = async (_, say) => {
      say(note);
      return blocks;
    };
    return start(key, project, environment, collect, undefined, origin, runJobs);
  }

  /** The project, known to have that environment. */
  function loadEnvironment(project: string, environment: string) {
    const file = deps.projects.loadProject(project);
    if (!file) throw notFound(`project "${project}"`);
    if (!file.environments[environment]) throw notFound(`environment "${environment}" in project "${project}"`);
    return file;
  }

  /** The environment exists and nothing rolls out there now; its key for `active`. */
  function checkIdle(project: string, environment: string): string {
    loadEnvironment(project, environment);
    const key = `${project}/${environment}`;
    if (active.has(key)) throw conflict(active.get(key)!);
    return key;
  }

  /** Creates the release and runs it in the background; one at a time per environment. */
  function start(key: string, project: string, environment: string, collect?: Collect, restart?: string[], origin?: ReleaseOrigin, runJobs?: boolean): ReleaseRecord {
    const release = deps.releases.createRelease(project, environment, origin);
    active.set(key, `release ${release.number} of ${key} is still deploying`);
    run(release, collect, restart, runJobs).finally(() => active.delete(key));
    changed(project, environment);
    return release;
  }

  const get = (id: number) => {
    const release = deps.releases.getRelease(id);
    if (!release) throw notFound(`release ${id}`);
    return maskSecrets(release);
  };

  const pipeline = createPipeline({ ...deps, loadEnvironment, checkIdle, fromImages });
  /** Runs a change that is not a release (a stop) with the environment held like a rollout holds it. */
  async function exclusively<T>(project: string, environment: string, doing: string, task: () => Promise<T>): Promise<T> {
    const key = checkIdle(project, environment);
    active.set(key, `${key} is ${doing}`);
    try {
      return await task();
    } finally {
      active.delete(key);
      changed(project, environment);
    }
  }
  const stopStart = createStopStart({ ...deps, checkIdle, exclusively, fromImages });

  return {
    /** Starts a deploy: returns the new release (status building) at once; the rollout goes on. */
    deploy: (project: string, environment: string, origin?: ReleaseOrigin, options: DeployOptions = {}): ReleaseRecord =>
      start(checkIdle(project, environment), project, environment, (release, say) => collectImages(release, say, options), undefined, { source: "deploy", ...origin }, true),

    ...pipeline,
    ...stopStart,

    redeployLive,
    /** Holds an environment (no release starts there) while a change that is not a release runs (a restore). */
    exclusively,

    /** New replica counts, kept in the environment's overrides and rolled out at once from the live images. */
    scale(project: string, environment: string, replicas: Record<string, number>, origin?: ReleaseOrigin): ReleaseRecord {
      const next = withReplicas(loadEnvironment(project, environment), environment, replicas);
      const release = redeployLive(project, environment, { replicas }, origin);
      deps.projects.saveProject(next);
      return release;
    },

    wait(id: number): Promise<ReleaseRecord> {
      const release = get(id);
      return channel.wait(id, release, FINISHED.has(release.status));
    },

    get,
    /** Release N of an environment. */
    byNumber(project: string, environment: string, number: number): ReleaseRecord {
      loadEnvironment(project, environment);
      const release = deps.releases.releaseByNumber(project, environment, number);
      if (!release) throw notFound(`release ${number} of ${project}/${environment}`);
      return maskSecrets(release);
    },
    /** A release's rollout log so far. */
    logLines: (id: number) => (get(id), channel.read(id)),
    list(project: string, environment: string) {
      loadEnvironment(project, environment);
      return deps.releases.listReleases(project, environment, 50).map(maskSecrets);
    },

    /** At start: a release a previous process was rolling out can never finish; say so. */
    failInterrupted() {
      for (const release of deps.releases.unfinishedReleases()) {
        deps.releases.finishRelease(release.id, "failed", "interrupted: the server stopped during the deploy; deploy again");
      }
    },

    /** Each block of an environment: kind, state, replicas, image and URL. */
    async status(project: string, environment: string) {
      const file = loadEnvironment(project, environment);
      const running = new Map((await deps.runtime.status(project, environment)).map((s) => [s.block, s]));
      const latest = deps.releases.listReleases(project, environment, 1)[0];
      const live = deps.releases.currentRelease(project, environment);
      const stoppedAt = deps.projects.stoppedSince(project, environment);
      const place: Place = { project, environment, domain: deps.domain };
      const fingerprints = deps.variables.fingerprints(project, environment, file);
      const blocks = Object.keys(file.blocks).flatMap((name) => {
        const spec = withTemplate(resolveBlock(file, environment, name), deps.catalogImages);
        if (spec.kind === "job") return [];
        const observed = running.get(name);
        const inFlight = latest && !FINISHED.has(latest.status) ? (latest.status === "building" ? "building" : "deploying") : null;
        return [{
          name,
          kind: spec.kind,
          state: inFlight ?? (stoppedAt ? "stopped" : (observed?.state ?? "stopped")),
          ready: observed?.ready ?? 0,
          wanted: spec.kind === "service" ? 1 : (spec.replicas ?? 1),
          image: observed?.image ?? null,
          release: observed?.release ?? null,
          url: blockUrl(place, name, spec, deps.edgePort, deps.https),
          internal: spec.port === undefined ? null : `${name}:${spec.port}`,
          restarts: observed?.restarts ?? 0,
          /** Set when replicas crashed: the last lines the crashing one wrote. */
          lastLog: observed?.lastLog ?? [],
          /** The live release this block's config (variables or settings) changed after; a deploy brings it in. */
          configChangedSince: configChangedSince(live, name, spec, fingerprints.get(name) ?? ""),
        }];
      });
      return {
        project,
        environment,
        release: latest ? { number: latest.number, status: latest.status, reason: latest.reason, warnings: latest.warnings, source: latest.source } : null,
        live: live?.number ?? null,
        stopped: stoppedAt !== null,
        stoppedAt,
        blocks,
      };
    },
    current: (project: string, environment: string) => deps.releases.currentRelease(project, environment),
    isDeploying: (project: string, environment: string) => active.has(`${project}/${environment}`),

    /** Level-based: points every route at what runs now (see route-sync.ts); environments mid-deploy are left to it. */
    syncRoutes: () => routeSync.all(),
    /** Rewrites an environment's routes soon after the runtime reports a replica started or died; returns a stop function. */
    followRuntime: (log: (line: string) => void) => routeSync.follow(log),

    /**
     * Calls `onChange` soon after anything of the environment may have changed: each step of a
     * release (created, rolling, finished), a stop, and each replica the engine starts, stops or finds
     * (un)healthy. What changed is read again by the caller, like routes are. Returns a stop function.
     */
    watchEnvironment(project: string, environment: string, onChange: () => void): () => void {
      const key = `${project}/${environment}`;
      const set = watchers.get(key) ?? new Set();
      watchers.set(key, set.add(onChange));
      const stopEngine = deps.runtime.watch((ref) => (!ref || (ref.project === project && ref.environment === environment)) && onChange(), () => {});
      return () => {
        stopEngine();
        set.delete(onChange);
        if (set.size === 0) watchers.delete(key);
      };
    },

    /** Log lines so far, then each new one, until the release has finished. */
    follow: (id: number, onLine: (line: string) => void, onDone: () => void) =>
      channel.follow(id, FINISHED.has(get(id).status), onLine, onDone),
  };
}

export type Deployments = ReturnType<typeof createDeployments>;
