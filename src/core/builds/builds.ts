import type { BuildLogStore, BuildRecord, BuildStore } from "../../ports/build-store.ts";
import type { GitSource, SourceRef } from "../../ports/git-source.ts";
import type { BuildLimits, ImageBuilder } from "../../ports/image-builder.ts";
import type { ProjectStore } from "../../ports/project-store.ts";
import { renderPresetDockerfile, type PresetImages } from "../build-presets.ts";
import { procfileStart } from "./procfile-start.ts";
import { BerthError, conflict, notFound } from "../errors.ts";
import { secretRedactor } from "../redact.ts";
import { resolveBlock } from "../project-file/resolve.ts";
import type { BlockSpec } from "../project-file/schema.ts";
import { BuildQueue } from "./build-queue.ts";
import type { GitCredentialsReader } from "./credentials.ts";
import { configHash, imageTag, LABELS } from "./image-name.ts";
import { LogChannel } from "./log-channel.ts";
import { formatBytes, LogCap } from "../logs/log-cap.ts";

export interface BuildSettings {
  limits: BuildLimits;
  concurrency: number;
  /** Images kept per block besides those a release still uses. */
  imagesKept: number;
  presetImages: PresetImages;
  /** Bytes of log kept per build; the build goes on past it, its further output dropped. */
  logLimitBytes?: number;
}

export interface BuildDeps {
  projects: ProjectStore;
  store: BuildStore;
  logs: BuildLogStore;
  credentials: GitCredentialsReader;
  git: GitSource;
  builder: ImageBuilder;
  settings: BuildSettings;
  /** Image ids that releases still reference; cleanup never removes them. */
  referencedImages: () => Set<string>;
  /** Secret values of an environment: redacted from every log line and reason. */
  secrets?: (project: string, environment: string) => string[];
}

const DEFAULT_LOG_LIMIT = 10 * 1024 ** 2;
const FINISHED = new Set(["succeeded", "failed", "cancelled"]);
const oneLine = (message: string) => message.split("\n").find((l) => l.trim() !== "")?.trim() ?? "unknown error";

export function createBuilds(deps: BuildDeps) {
  const channel = new LogChannel<BuildRecord>(deps.logs);
  const running = new Map<number, AbortController>();
  const now = () => new Date().toISOString();
  const redactors = new Map<number, (text: string) => string>();
  const redactorFor = (id: number) => {
    let redact = redactors.get(id);
    if (!redact) {
      const build = deps.store.getBuild(id);
      redact = secretRedactor(build && deps.secrets ? deps.secrets(build.project, build.environment) : []);
      redactors.set(id, redact);
    }
    return redact;
  };
  const limit = deps.settings.logLimitBytes ?? DEFAULT_LOG_LIMIT;
  const cap = new LogCap(limit, `... log truncated at ${formatBytes(limit)} (setting buildLogLimit): the build goes on; its further output is not kept`);
  const log = (id: number, ...lines: string[]) => {
    const admitted = cap.admit(id, lines.map(redactorFor(id)));
    if (admitted.length > 0) channel.write(id, ...admitted);
  };

  const finish = (id: number, update: Parameters<BuildStore["updateBuild"]>[1]) => {
    if (update.reason) update = { ...update, reason: redactorFor(id)(update.reason) };
    const record = deps.store.updateBuild(id, { ...update, finishedAt: now() });
    cap.forget(id);
    // The outcome is written past the limit: a truncated log still says how the build ended.
    channel.write(id, record.status === "succeeded" ? `build #${id} succeeded: ${record.image}` : `build #${id} ${record.status}: ${record.reason}`);
    channel.close(id, record);
    redactors.delete(id);
    return record;
  };

  async function execute(build: BuildRecord) {
    const controller = new AbortController();
    running.set(build.id, controller);
    deps.store.updateBuild(build.id, { status: "running", startedAt: now() });
    try {
      const result = await produceImage(build, controller.signal);
      deps.store.updateBuild(build.id, { imageId: result.imageId });
      await removeOldImages(build);
      finish(build.id, { status: "succeeded", ...result });
    } catch (error) {
      const cancelled = controller.signal.aborted;
      finish(build.id, { status: cancelled ? "cancelled" : "failed", reason: cancelled ? "cancelled" : oneLine((error as Error).message) });
    } finally {
      running.delete(build.id);
    }
  }

  async function produceImage(build: BuildRecord, signal: AbortSignal) {
    const file = deps.projects.loadProject(build.project);
    if (!file) throw notFound(`project "${build.project}"`);
    const spec = resolveBlock(file, build.environment, build.block);
    if (!spec.git) throw new BerthError("invalid", `block "${build.block}" runs the image ${spec.image}; there is nothing to build`);
    const source: SourceRef = { url: spec.git.url, ref: build.ref ?? spec.git.ref, credentials: deps.credentials.read(build.project, build.block) };
    log(build.id, `build #${build.id}: ${build.project}/${build.block} for ${build.environment} from ${spec.git.url} (${source.ref ?? "default branch"})`);
    const commit = await deps.git.resolve(source);
    const dockerfileText = spec.build?.preset ? renderPreset(spec) : undefined;
    const hash = configHash({ path: spec.git.path, build: spec.build, dockerfileText });
    const image = imageTag(build.project, build.block, commit, hash);
    log(build.id, `commit ${commit}`);
    deps.store.updateBuild(build.id, { commit, image });

    const existing = await deps.builder.findImage(image);
    if (existing) {
      log(build.id, `image ${image} already built from this commit and config: reusing it`);
      return { image, imageId: existing, cacheHit: true, commit };
    }
    signal.throwIfAborted();
    const checkout = await deps.git.checkout(source, commit, spec.git.path);
    try {
      if (dockerfileText) log(build.id, `generated Dockerfile (preset ${spec.build!.preset}):`, ...dockerfileText.trimEnd().split("\n").map((l) => `  ${l}`));
      const { imageId } = await deps.builder.build({
        contextDir: checkout.dir,
        dockerfile: spec.build?.dockerfile ?? "Dockerfile",
        dockerfileText,
        buildArgs: spec.build?.args,
        target: spec.build?.target,
        tag: image,
        labels: { [LABELS.managed]: "true", [LABELS.project]: build.project, [LABELS.block]: build.block, [LABELS.commit]: commit },
        limits: deps.settings.limits,
        signal,
        onLog: (line) => log(build.id, line),
      });
      return { image, imageId, cacheHit: false, commit };
    } finally {
      await checkout.cleanup();
    }
  }

  const renderPreset = (spec: BlockSpec) =>
    renderPresetDockerfile({
      preset: spec.build!.preset!,
      version: spec.build!.version,
      command: spec.build!.command,
      start: spec.build!.process ? procfileStart(spec.build!.process) : spec.build!.start,
      output: spec.build!.output,
      port: spec.port,
      baseImages: deps.settings.presetImages,
    });

  /** Keeps the newest images of a block and every image a release uses; never touches others' images. */
  async function removeOldImages(build: BuildRecord) {
    const images = await deps.builder.listImages({ [LABELS.managed]: "true", [LABELS.project]: build.project, [LABELS.block]: build.block });
    const keep = deps.referencedImages();
    const old = images.sort((a, b) => b.createdAt - a.createdAt).slice(deps.settings.imagesKept).filter((i) => !keep.has(i.id));
    for (const image of old) {
      try {
        await deps.builder.removeImage(image.id);
        log(build.id, `removed old image ${image.tags[0] ?? image.id}`);
      } catch (error) {
        log(build.id, `kept old image ${image.tags[0] ?? image.id}: ${oneLine((error as Error).message)}`);
      }
    }
  }

  const queue = new BuildQueue<BuildRecord>(deps.settings.concurrency, execute, (old, by) =>
    finish(old.id, { status: "cancelled", reason: `replaced by build #${by.id}` }),
  );

  const get = (id: number) => {
    const build = deps.store.getBuild(id);
    if (!build) throw notFound(`build ${id}`);
    return build;
  };

  return {
    /** Queues a build of one block for one environment (default: its first environment). */
    start(request: { project: string; block: string; environment?: string; ref?: string }): BuildRecord {
      const file = deps.projects.loadProject(request.project);
      if (!file) throw notFound(`project "${request.project}"`);
      const environment = request.environment ?? Object.keys(file.environments)[0]!;
      const spec = resolveBlock(file, environment, request.block);
      if (!spec.git) throw new BerthError("invalid", `block "${request.block}" runs the image ${spec.image}; there is nothing to build`);
      const build = deps.store.createBuild({ project: request.project, block: request.block, environment, ref: request.ref ?? null });
      queue.push(`${request.project}/${request.block}`, build);
      return build;
    },

    cancel(id: number): BuildRecord {
      const build = get(id);
      if (FINISHED.has(build.status)) throw conflict(`build ${id} already ${build.status}`);
      if (queue.remove((b) => b.id === id)) return finish(id, { status: "cancelled", reason: "cancelled" });
      running.get(id)?.abort();
      return deps.store.getBuild(id)!;
    },

    get,
    list(project: string, limit = 50) {
      if (!deps.projects.loadProject(project)) throw notFound(`project "${project}"`);
      return deps.store.listBuilds(project, limit);
    },
    logLines: (id: number) => (get(id), channel.read(id)),

    /** Lines so far, then each new line, until the build ends; returns an unsubscribe. */
    follow: (id: number, onLine: (line: string) => void, onDone: () => void) =>
      channel.follow(id, FINISHED.has(get(id).status), onLine, onDone),

    /** The commit a git block's ref for this environment points to now (fetches); null for an image block. */
    async headCommit(project: string, environment: string, block: string): Promise<string | null> {
      const file = deps.projects.loadProject(project);
      if (!file) throw notFound(`project "${project}"`);
      const spec = resolveBlock(file, environment, block);
      if (!spec.git) return null;
      return deps.git.resolve({ url: spec.git.url, ref: spec.git.ref, credentials: deps.credentials.read(project, block) });
    },

    /** Subjects of the commits after `from` up to `to` of a git block's repository, newest first. */
    subjects(project: string, environment: string, block: string, from: string, to: string): Promise<string[]> {
      const file = deps.projects.loadProject(project);
      const spec = file?.blocks[block] ? resolveBlock(file, environment, block) : null;
      return spec?.git ? deps.git.subjects(spec.git.url, from, to, 50, spec.git.path) : Promise.resolve([]);
    },

    /** Resolves when the build has finished. */
    wait(id: number): Promise<BuildRecord> {
      const build = get(id);
      return channel.wait(id, build, FINISHED.has(build.status));
    },

    /** At start: builds a previous process left unfinished can never finish; say so. */
    failInterrupted() {
      for (const build of deps.store.unfinishedBuilds()) finish(build.id, { status: "failed", reason: "interrupted: the server stopped during the build" });
    },
  };
}

export type Builds = ReturnType<typeof createBuilds>;
