import { normalizeTime } from "../../../lib/log-time.ts";
import type { ContainerLogSource, LoggedContainer, RawLine } from "../../../ports/container-logs.ts";
import type { KubeClient, LiveObject } from "./kube-client.ts";
import { MANAGED_BY, namespaceName } from "./names.ts";

/** Where a listed pod is, so a follow by id can name it to the API. */
interface PodPlace {
  namespace: string;
  name: string;
  container: string | undefined;
}

type ContainerState = { name?: string; state?: { running?: unknown; waiting?: unknown; terminated?: unknown } };

/** Pods of Jobs (deploy hooks, cron runs) are left out, as docker's job runs are: their output is the job's, not the block's. */
const isJobPod = (pod: LiveObject) =>
  pod.metadata.labels?.["batch.kubernetes.io/job-name"] !== undefined ||
  pod.metadata.labels?.["job-name"] !== undefined ||
  (pod.metadata.ownerReferences ?? []).some((owner) => owner.kind === "Job");

/**
 * The pod's uid without its dashes: 32 hex digits like a docker id, so the collector's 12-digit
 * short id (48 random bits of a v4 uid) stays unique, and stays the same across container
 * restarts in the pod (a pod's name is not: its first 12 characters are the block's name).
 */
export const podId = (uid: string) => uid.replace(/-/g, "").toLowerCase();

/** The block's container: the one named after the block (the renderer names it so), else the pod's first. */
function containerOf(pod: LiveObject, block: string): string | undefined {
  const names = ((pod.spec?.containers as { name?: string }[] | undefined) ?? []).map((c) => c.name).filter((n): n is string => Boolean(n));
  return names.includes(block) ? block : names[0];
}

/** Running: the pod runs and its block's container is started (not waiting to, not ended). */
function isRunning(pod: LiveObject, container: string | undefined): boolean {
  if (pod.status?.phase !== "Running") return false;
  const statuses = (pod.status?.containerStatuses as ContainerState[] | undefined) ?? [];
  const own = statuses.find((s) => s.name === container) ?? statuses[0];
  return Boolean(own?.state?.running);
}

/**
 * Splits a follow's body into timestamped lines ("2026-12-02T05:24:36.123456789Z text", as the
 * API writes them with `timestamps=true`); a line may arrive in pieces, several in one chunk.
 * The API sends stdout and stderr merged, with nothing telling them apart: every line is stdout.
 */
export function lineReader(onLines: (lines: RawLine[]) => void) {
  const decoder = new TextDecoder();
  let pending = "";
  const emit = (parts: string[]) => {
    const lines: RawLine[] = [];
    for (const part of parts) {
      if (part === "") continue;
      const space = part.indexOf(" ");
      const time = normalizeTime(space === -1 ? part : part.slice(0, space));
      if (time) lines.push({ time, stream: "stdout", text: space === -1 ? "" : part.slice(space + 1).replace(/\r$/, "") });
    }
    if (lines.length > 0) onLines(lines);
  };
  return {
    push(chunk: Uint8Array) {
      const parts = (pending + decoder.decode(chunk, { stream: true })).split("\n");
      pending = parts.pop() ?? "";
      emit(parts);
    },
    /** The stream ended: a last line without its newline counts too. */
    end() {
      const rest = pending + decoder.decode();
      pending = "";
      emit([rest]);
    },
  };
}

/**
 * Berth's pods across the cluster and their output, for the block log collector in fleet mode.
 * A block's pods carry no release label (an unchanged block keeps its pods across releases):
 * a pod's release is its Deployment's, the last release applied to the block.
 */
export function createK3sLogSource(client: KubeClient, options: { refusedPauseMs?: number } = {}): ContainerLogSource {
  /** How long a refused follow waits before it ends (and the collector looks again). */
  const refusedPauseMs = options.refusedPauseMs ?? 5_000;
  /** Filled by each list: the collector lists before it follows. */
  let places = new Map<string, PodPlace>();

  return {
    async list(): Promise<LoggedContainer[]> {
      const [pods, deployments] = await Promise.all([client.list("Pod", undefined, { ...MANAGED_BY }), client.list("Deployment", undefined, { ...MANAGED_BY })]);
      const releaseOf = new Map(deployments.map((d) => [`${d.metadata.namespace}/${d.metadata.name}`, Number(d.metadata.labels?.["berth.release"] ?? 0)]));
      const found: (LoggedContainer & { place: PodPlace; created: string; name: string; group: string })[] = [];
      for (const pod of pods) {
        const labels = pod.metadata.labels ?? {};
        const project = labels["berth.project"] ?? "";
        const environment = labels["berth.environment"] ?? "";
        const block = labels["berth.block"] ?? "";
        const uid = pod.metadata.uid;
        if (!project || !environment || !block || !uid || isJobPod(pod)) continue;
        const namespace = pod.metadata.namespace ?? "";
        // Labels anyone who may create a pod can set: only the environment's own namespace speaks for it.
        if (namespace !== namespaceName(project, environment)) continue;
        const container = containerOf(pod, block);
        const release = releaseOf.get(`${namespace}/${block}`);
        found.push({
          id: podId(uid),
          project,
          environment,
          block,
          replica: 0,
          release: Number.isInteger(release) ? release! : 0,
          running: isRunning(pod, container),
          place: { namespace, name: pod.metadata.name, container },
          created: pod.metadata.creationTimestamp ?? "",
          name: pod.metadata.name,
          // The pod template's hash: the pods of one ReplicaSet, i.e. of one config of the block.
          group: `${namespace}/${block}/${labels["pod-template-hash"] ?? ""}`,
        });
      }
      // Replica index: the pod's place among the pods of its block's ReplicaSet (one config of
      // the block), oldest first, the name breaking ties. It holds while those pods stay; when an
      // older one goes, later ones move down (a docker replica's index never moves).
      found.sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const counts = new Map<string, number>();
      for (const pod of found) {
        pod.replica = counts.get(pod.group) ?? 0;
        counts.set(pod.group, pod.replica + 1);
      }
      places = new Map(found.map((pod) => [pod.id, pod.place]));
      return found.map(({ id, project, environment, block, replica, release, running }) => ({ id, project, environment, block, replica, release, running }));
    },

    follow(id, since, onLines, onEnd) {
      const abort = new AbortController();
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        // The caller stopped it: nothing to tell.
        if (!abort.signal.aborted) onEnd();
      };
      const place = places.get(id);
      if (!place) {
        queueMicrotask(end);
        return () => abort.abort();
      }
      const reader = lineReader((lines) => onLines(since ? lines.filter((l) => l.time > since) : lines));
      // The API takes whole seconds: ask from the second of `since`, drop what is not after it.
      const sinceTime = since ? `${since.slice(0, 19)}Z` : undefined;
      void (async () => {
        try {
          const body = await client.followPodLogs(place.namespace, place.name, { container: place.container, sinceTime, signal: abort.signal });
          const chunks = body.getReader();
          abort.signal.addEventListener("abort", () => void chunks.cancel().catch(() => {}), { once: true });
          for (;;) {
            const { done, value } = await chunks.read();
            if (done) break;
            reader.push(value);
          }
          reader.end();
        } catch {
          // A refused follow (the container waits to start, the pod went) ends it like a closed stream:
          // the next pass looks again, after a pause, so an endpoint that keeps refusing (its node
          // is down) is not asked, nor the whole cluster listed, twice a second.
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, refusedPauseMs);
            abort.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
          });
        }
        end();
      })();
      return () => abort.abort();
    },
  };
}
