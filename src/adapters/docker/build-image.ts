import type Dockerode from "dockerode";
import { BerthError } from "../../core/errors.ts";
import type { ImageBuildRequest } from "../../ports/image-builder.ts";
import { type BuildContext, openBuildContext } from "./build-context.ts";
import { type BuildEvent, BuildProgress, describeBuildFailure } from "./build-progress.ts";
import { isNotFound, toBerthError } from "./engine-errors.ts";

const CPU_PERIOD_US = 100_000;
/** How long an aborted build's step container may take to go away before it is removed by force. */
const STOP_GRACE_MS = 10_000;

/**
 * Build an image with the engine's classic builder. Timeout and cancel abort the HTTP
 * request; the engine then kills and removes the step's container, and this waits until
 * it is gone, so a stopped build leaves nothing running.
 */
export async function buildImage(docker: Dockerode, request: ImageBuildRequest): Promise<{ imageId: string }> {
  const { limits } = request;
  const stop = new AbortController();
  const timer = setTimeout(
    () => stop.abort(new BerthError("unavailable", `build timed out after ${formatDuration(limits.timeoutMs)}`)),
    limits.timeoutMs,
  );
  const cancel = () => stop.abort(new BerthError("conflict", "build cancelled"));
  if (request.signal?.aborted) cancel();
  request.signal?.addEventListener("abort", cancel);
  const progress = new BuildProgress((line) => request.onLog(line));
  const startedAt = Date.now();

  let context: BuildContext | undefined;
  try {
    stop.signal.throwIfAborted();
    context = await openBuildContext(request.contextDir, {
      dockerfile: request.dockerfile,
      dockerfileText: request.dockerfileText,
      signal: stop.signal,
    });
    const options: Dockerode.ImageBuildOptions = {
      t: request.tag,
      dockerfile: context.dockerfile,
      labels: request.labels,
      // The parsing in build-progress.ts reads the classic builder's output.
      version: "1",
      memory: limits.memoryBytes,
      // Equal to memory: the build gets no swap on top, so going over the limit is an OOM kill.
      memswap: limits.memoryBytes,
      cpuperiod: CPU_PERIOD_US,
      // The engine refuses quotas under 1 ms per period.
      cpuquota: Math.max(1000, Math.round(limits.cpus * CPU_PERIOD_US)),
      rm: true,
      forcerm: true,
      nocache: false,
      abortSignal: stop.signal,
    };
    if (request.buildArgs && Object.keys(request.buildArgs).length) options.buildargs = request.buildArgs;
    if (request.target) options.target = request.target;

    const stream = await docker.buildImage(context.tar, options);
    const streamError = await follow(docker, stream, progress, stop.signal);
    progress.flush();

    stop.signal.throwIfAborted();
    if (progress.error !== undefined) throw new BerthError("invalid", describeBuildFailure(progress.error, progress.step, limits.memoryBytes));
    if (streamError) throw toBerthError(streamError, "reading the build output");
    // A clean end of stream is not proof: the engine may drop the connection without an error event.
    const image = await docker.getImage(request.tag).inspect().catch((error: unknown) => {
      if (isNotFound(error)) throw new BerthError("internal", `the build ended but image ${request.tag} was not created`);
      throw toBerthError(error, "inspecting the built image");
    });
    return { imageId: image.Id };
  } catch (error) {
    if (!stop.signal.aborted) throw context?.readError ?? toBerthError(error, "building the image");
    progress.flush();
    await removeStepContainer(docker, progress.container);
    throw stop.signal.reason instanceof BerthError ? stop.signal.reason : toBerthError(error, "building the image");
  } finally {
    if (request.dockerfileText !== undefined) await removeStageLeftovers(docker, progress.stepImages, startedAt);
    // Unread, the tar would keep its walk (and an open file) waiting forever.
    context?.tar.destroy();
    clearTimeout(timer);
    request.signal?.removeEventListener("abort", cancel);
  }
}

/** Feed each progress event to `progress`; resolves with the stream's error, if any, when it ends or on abort. */
function follow(docker: Dockerode, stream: NodeJS.ReadableStream, progress: BuildProgress, signal: AbortSignal): Promise<Error | null> {
  return new Promise((resolve) => {
    // The request may have been aborted before the stream got its listeners; then no event would come.
    const onAbort = () => resolve(null);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    docker.modem.followProgress(
      stream,
      (error: Error | null) => {
        signal.removeEventListener("abort", onAbort);
        resolve(error);
      },
      (event: BuildEvent) => progress.handle(event),
    );
  });
}

/**
 * A multi-stage build leaves its earlier stages' images behind, untagged and without the
 * build's labels, so nothing could ever find and remove them. For generated (preset)
 * Dockerfiles they are no use as a cache either, since a preset copies the whole context
 * before it builds; so they go right away. Only images this build created are candidates
 * (a cached step may be someone else's); the engine refuses (409) to remove one that a kept
 * image builds on, and removing a leaf also removes its untagged parents.
 */
async function removeStageLeftovers(docker: Dockerode, stepImages: string[], startedAt: number): Promise<void> {
  for (const id of [...stepImages].reverse()) {
    const image = docker.getImage(id);
    const info = await image.inspect().catch(() => null);
    if (!info || (info.RepoTags ?? []).length > 0 || Date.parse(info.Created) < startedAt - 1000) continue;
    await image.remove().catch(() => undefined);
  }
}

/**
 * The engine kills and removes the running step's container once the build request is gone
 * (rm/forcerm); wait for that, and remove it by force if it outlives the grace period.
 */
async function removeStepContainer(docker: Dockerode, id: string | undefined): Promise<void> {
  if (!id) return;
  const container = docker.getContainer(id);
  const deadline = Date.now() + STOP_GRACE_MS;
  while (Date.now() < deadline) {
    const gone = await container.inspect().then(
      () => false,
      (error: unknown) => isNotFound(error),
    );
    if (gone) return;
    await Bun.sleep(200);
  }
  await container.remove({ force: true }).catch((error: unknown) => {
    if (!isNotFound(error)) throw toBerthError(error, `removing build container ${id.slice(0, 12)}`);
  });
}

/** 900000 → "15m", 90000 → "1m30s", 1500 → "1.5s". */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return [h && `${h}h`, m && `${m}m`, s && `${s}s`].filter(Boolean).join("");
}
