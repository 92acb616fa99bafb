import type { KubeClient, LiveObject } from "./kube-client.ts";
import { blockSelector, MANAGED_BY } from "./names.ts";

export interface WaitTiming {
  /** Between two reads of a Deployment or Job. */
  pollMs: number;
  /** How long a Deployment gets to roll out. */
  rolloutTimeoutMs: number;
  /** Lines of a pod's log quoted in a failure. */
  logLines: number;
}

/**
 * Waiting reasons that will not clear by themselves: the kubelet keeps retrying, but the
 * deploy has failed and the previous release should serve again.
 */
export const STUCK_REASONS = new Set(["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError"]);

/** A pod of one container as the runtime reads it. */
export interface PodView {
  name: string;
  ready: boolean;
  restarts: number;
  /** The reason its container waits, e.g. CrashLoopBackOff; none while it runs. */
  waiting?: string;
  image?: string;
}

export function podView(pod: LiveObject): PodView {
  const statuses = (pod.status?.containerStatuses ?? []) as { ready?: boolean; restartCount?: number; image?: string; state?: { waiting?: { reason?: string } } }[];
  const waiting = statuses.map((s) => s.state?.waiting?.reason).find((reason) => reason !== undefined);
  return {
    name: pod.metadata.name,
    ready: statuses.length > 0 && statuses.every((s) => s.ready === true),
    restarts: statuses.reduce((sum, s) => sum + (s.restartCount ?? 0), 0),
    ...(waiting && { waiting }),
    ...(statuses[0]?.image && { image: statuses[0].image }),
  };
}

/** The pods of a block's Deployment (a Job's pods carry a job-name label and are left out). */
export async function blockPods(client: KubeClient, namespace: string, project: string, environment: string, block: string): Promise<LiveObject[]> {
  const pods = await client.list("Pod", namespace, { ...MANAGED_BY, ...blockSelector(project, environment, block) });
  return pods.filter((pod) => pod.metadata.labels?.["batch.kubernetes.io/job-name"] === undefined);
}

const berthAnnotations = (annotations: Record<string, string> | undefined) =>
  JSON.stringify(Object.entries(annotations ?? {}).filter(([name]) => name.startsWith("berth.")).sort(([a], [b]) => (a < b ? -1 : 1)));
const imagesOf = (spec: Record<string, any> | undefined) => JSON.stringify(((spec?.containers ?? []) as { image?: string }[]).map((c) => c.image));

/**
 * Whether a pod was made from the Deployment's current pod template, not an older ReplicaSet's
 * (whose pods run on until the new ones are ready). A pod copies its template's annotations and
 * containers: Berth's template annotations (`berth.hash`, the config; `berth.restarted-at`, a
 * restart) and the images tell the templates of two releases apart.
 */
export function ofNewestTemplate(deployment: LiveObject, pod: LiveObject): boolean {
  const template = deployment.spec?.template as { metadata?: { annotations?: Record<string, string> }; spec?: Record<string, any> } | undefined;
  return berthAnnotations(template?.metadata?.annotations) === berthAnnotations(pod.metadata.annotations) && imagesOf(template?.spec) === imagesOf(pod.spec);
}

/** A pod's last lines on one line; a crashed container's are those of the run before its restart. */
export async function lastLines(client: KubeClient, namespace: string, pod: PodView, count: number): Promise<string[]> {
  const read = (previous: boolean) => client.podLogs(namespace, pod.name, { tailLines: count, previous });
  try {
    return await read(pod.waiting === "CrashLoopBackOff" || pod.restarts > 0);
  } catch {
    // No previous run to read (it never restarted): the current one's.
    return read(false).catch(() => []);
  }
}

export const quote = (lines: string[]) => lines.map((line) => line.trim()).filter((line) => line !== "").join(" | ") || "(none)";

/** Every replica of the newest template ready: the rollout is done. */
export function rolledOut(deployment: LiveObject): boolean {
  const wanted = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  return (status.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 0) && (status.updatedReplicas ?? 0) === wanted && (status.readyReplicas ?? 0) === wanted && (status.replicas ?? 0) === wanted;
}

/**
 * What the Deployment controller says will not get better: it cannot create pods (admission,
 * quota: `ReplicaFailure`), or its progress deadline passed (`Progressing` false).
 */
function refusedBy(deployment: LiveObject): string | undefined {
  const conditions = (deployment.status?.conditions ?? []) as { type: string; status: string; reason?: string; message?: string }[];
  const failed = conditions.find((c) => (c.type === "ReplicaFailure" && c.status === "True") || (c.type === "Progressing" && c.status === "False"));
  return failed && `${failed.reason ?? failed.type}: ${(failed.message ?? "").split("\n")[0]}`;
}

export type Rollout = { ok: true; deployment: LiveObject; pods: PodView[] } | { ok: false; reason: string };

/**
 * Reads a Deployment until its rollout is done, one of its pods is stuck (crash loop, image
 * that cannot be pulled: the reason quotes that pod's last lines), or the time is up.
 */
export async function waitForRollout(client: KubeClient, namespace: string, project: string, environment: string, block: string, timing: WaitTiming): Promise<Rollout> {
  const deadline = Date.now() + timing.rolloutTimeoutMs;
  for (;;) {
    const deployment = await client.get({ kind: "Deployment", namespace, name: block });
    if (!deployment) return { ok: false, reason: `${block}: its Deployment is gone` };
    // Only the newest template's pods: an old ReplicaSet's may crash-loop on while a release that fixes them rolls out.
    const pods = (await blockPods(client, namespace, project, environment, block)).filter((pod) => ofNewestTemplate(deployment, pod)).map(podView);
    if (rolledOut(deployment)) return { ok: true, deployment, pods };
    // Conditions are the previous rollout's until the controller has seen this generation.
    const observed = (deployment.status?.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 0);
    const refused = observed ? refusedBy(deployment) : undefined;
    if (refused) return { ok: false, reason: `${block}: ${refused}` };
    const stuck = pods.find((pod) => pod.waiting !== undefined && STUCK_REASONS.has(pod.waiting));
    if (stuck) {
      const lines = await lastLines(client, namespace, stuck, timing.logLines);
      return { ok: false, reason: `${block}: pod ${stuck.name} ${stuck.waiting}; last log lines: ${quote(lines)}` };
    }
    if (Date.now() >= deadline) {
      const ready = deployment.status?.readyReplicas ?? 0;
      return { ok: false, reason: `${block}: not rolled out within ${Math.round(timing.rolloutTimeoutMs / 1000)} s (${ready} of ${deployment.spec?.replicas ?? 1} ready)` };
    }
    await Bun.sleep(timing.pollMs);
  }
}

export type JobResult = { ok: true } | { ok: false; reason: string };

/**
 * Reads a Job until it succeeded or failed; a failure quotes its pod's last lines. A pod that
 * waits for a reason that will not clear (an image that cannot be pulled, a missing Secret)
 * fails it at once, as in waitForRollout: its `activeDeadlineSeconds` would end it only at the
 * job's timeout, holding the environment's deploys that long.
 */
export async function waitForJob(client: KubeClient, namespace: string, name: string, timeoutMs: number, timing: WaitTiming): Promise<JobResult> {
  const deadline = Date.now() + timeoutMs;
  const podsOf = async () => (await client.list("Pod", namespace, { "batch.kubernetes.io/job-name": name })).map(podView);
  const failure = async (why: string, pod: PodView | undefined): Promise<JobResult> => {
    const lines = pod ? await lastLines(client, namespace, pod, timing.logLines) : [];
    return { ok: false, reason: `job ${name} failed (${why}); last log lines: ${quote(lines)}` };
  };
  for (;;) {
    const job = await client.get({ kind: "Job", namespace, name });
    if (!job) return { ok: false, reason: `job ${name} is gone` };
    const status = job.status ?? {};
    const failed = (status.conditions as { type: string; status: string; reason?: string }[] | undefined)?.find((c) => c.type === "Failed" && c.status === "True");
    if ((status.succeeded ?? 0) > 0) return { ok: true };
    if (failed || (status.failed ?? 0) > 0 || Date.now() >= deadline) {
      const pods = await podsOf();
      const why = failed?.reason ?? (Date.now() >= deadline ? `not finished within ${Math.round(timeoutMs / 1000)} s` : "failed");
      return failure(why, pods[pods.length - 1]);
    }
    const stuck = (await podsOf()).find((pod) => pod.waiting !== undefined && STUCK_REASONS.has(pod.waiting));
    if (stuck) return failure(`pod ${stuck.name} ${stuck.waiting}`, stuck);
    await Bun.sleep(timing.pollMs);
  }
}
