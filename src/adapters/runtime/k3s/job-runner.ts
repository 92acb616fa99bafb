import { BerthError } from "../../../core/errors.ts";
import type { JobRunner, JobRunSpec } from "../../../ports/job-runner.ts";
import type { KubeClient, LiveObject } from "./kube-client.ts";
import { lineReader } from "./log-source.ts";
import { JOB_RUN_LABEL, jobRunName, namespaceName, releaseJobName } from "./names.ts";
import type { KubeObject } from "./object.ts";
import { environmentLabels } from "./previous.ts";
import { STUCK_REASONS } from "./rollout.ts";

/** Labels the Job controller writes into a Job's pod template: a copy must not carry the original's. */
const CONTROLLER_LABELS = new Set(["controller-uid", "batch.kubernetes.io/controller-uid", "job-name", "batch.kubernetes.io/job-name"]);

/** As docker's runner: the exit code is an engine's kill when the run was stopped. */
const KILLED = 137;
/** Reads of a running Job that may fail in a row (an API server restarting) before the run counts as failed: about a minute at the default poll. */
const READ_TRIES = 60;

export interface K3sJobRunnerOptions {
  /** How often the Job and its pod are read. Default 1 s. */
  pollMs?: number;
  /** How long the output may trail the Job's end before the run is closed without the rest. Default 2 s. */
  outputGraceMs?: number;
}

type ContainerStatus = { name?: string; state?: { running?: unknown; waiting?: { reason?: string; message?: string }; terminated?: { exitCode?: number; reason?: string } } };
type Condition = { type: string; status: string; reason?: string; message?: string };

/** Resolves after `ms`, or as soon as `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

const statusesOf = (pod: LiveObject) => (pod.status?.containerStatuses ?? []) as ContainerStatus[];
const containerStatus = (pod: LiveObject, container: string) => statusesOf(pod).find((s) => s.name === container) ?? statusesOf(pod)[0];
const isEnded = (pod: LiveObject) => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
/** The container has started (or ended): its log can be read. */
const hasStarted = (pod: LiveObject) => isEnded(pod) || pod.status?.phase === "Running" || statusesOf(pod).some((s) => s.state?.running || s.state?.terminated);

/** The newest pod of a Job (with backoffLimit 0 there is one, unless it was replaced after an eviction). */
const newestPod = (pods: LiveObject[]) => [...pods].sort((a, b) => ((a.metadata.creationTimestamp ?? "") < (b.metadata.creationTimestamp ?? "") ? -1 : 1)).at(-1);

/**
 * The Job of one run: the release's Job of the block, copied. Its pod template is the release's
 * (the digest-pinned image, the variables from the block's Secret by `envFrom`); the run's own
 * variables go in the container's `env`, which wins over `envFrom`. Labels: the environment's,
 * so removal by label finds it, and the run's id; no block or release label, so the runtime's
 * record of a block's objects (what a failed deploy restores, what a discard removes) leaves it out.
 */
export function runJob(spec: JobRunSpec, namespace: string, source: Record<string, any>): KubeObject {
  const block = spec.plan.block;
  const run = String(spec.runId);
  const template = source.template as { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: { containers: { name: string; env?: { name: string }[] }[] } & Record<string, unknown> };
  const labels = Object.fromEntries(Object.entries(template.metadata?.labels ?? {}).filter(([name]) => !CONTROLLER_LABELS.has(name)));
  const overrides = Object.entries(spec.overrides ?? {});
  const containers = template.spec.containers.map((container, index) => {
    const own = container.name === block || (index === 0 && !template.spec.containers.some((c) => c.name === block));
    if (!own || overrides.length === 0) return container;
    const kept = (container.env ?? []).filter((variable) => !(variable.name in spec.overrides!));
    return { ...container, env: [...kept, ...overrides.map(([name, value]) => ({ name, value }))] };
  });
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: jobRunName(block, spec.runId),
      namespace,
      labels: { ...environmentLabels(spec.project, spec.environment), [JOB_RUN_LABEL]: run },
      annotations: { "berth.job": block, "berth.trigger": "run" },
    },
    spec: {
      backoffLimit: 0,
      ...(source.activeDeadlineSeconds !== undefined && { activeDeadlineSeconds: source.activeDeadlineSeconds }),
      template: {
        metadata: { ...template.metadata, labels: { ...labels, [JOB_RUN_LABEL]: run } },
        spec: { ...template.spec, containers },
      },
    },
  };
}

/**
 * Runs `berth job run` in the cluster: each run is a copy of the release's Job of the block
 * (a manual job's is suspended, left to be copied; a deploy hook's has run; a scheduled job's
 * template is its CronJob's), not suspended. Its pod's output is followed line by line, its
 * container's exit code is the run's, and the Job goes when the run ends.
 */
export function createK3sJobRunner(client: KubeClient, options: K3sJobRunnerOptions = {}): JobRunner {
  const pollMs = options.pollMs ?? 1_000;
  const outputGraceMs = options.outputGraceMs ?? 2_000;

  /** The Job spec the run copies: the release's Job of the block, else the release's CronJob's template. */
  async function sourceOf(spec: JobRunSpec, namespace: string): Promise<Record<string, any>> {
    const name = releaseJobName(spec.plan.block, spec.release);
    const job = await client.get({ kind: "Job", namespace, name });
    if (job?.spec?.template) return job.spec;
    const cron = await client.get({ kind: "CronJob", namespace, name: spec.plan.block });
    if (cron?.metadata.labels?.["berth.release"] === String(spec.release) && cron.spec?.jobTemplate?.spec?.template) return cron.spec.jobTemplate.spec;
    throw new BerthError("not_found", `job ${spec.plan.block}: the cluster has no Job ${name} in namespace ${namespace} to run a copy of (release ${spec.release} was not applied there, or its objects were removed): deploy the environment again`);
  }

  const podsOf = (namespace: string, job: string) => client.list("Pod", namespace, { "batch.kubernetes.io/job-name": job });

  /**
   * Passes the newest pod's lines to `onLine` from when its container starts, each once: a
   * follow that ends early (a quiet connection closed) is asked again from its last line's time.
   * `last()` says the Job has ended: one more read of what is left, then it returns.
   */
  async function followOutput(namespace: string, job: string, container: string, onLine: (line: string) => void, stop: AbortSignal, last: () => boolean): Promise<void> {
    let seen = "";
    const reader = lineReader((lines) => {
      for (const line of lines) {
        // A second follow starts at the whole second of the last line: what it sends again is dropped.
        if (line.time <= seen) continue;
        seen = line.time;
        onLine(line.text);
      }
    });
    while (!stop.aborted) {
      const final = last();
      const pod = newestPod(await podsOf(namespace, job).catch(() => []));
      if (pod && (final || hasStarted(pod))) {
        const ended = isEnded(pod);
        // A signal of this follow's own: the client keeps a listener on it for the body's life, and a
        // long run follows again and again (a quiet follow ends after 5 minutes).
        const each = new AbortController();
        const relay = () => each.abort(stop.reason);
        stop.addEventListener("abort", relay, { once: true });
        try {
          const body = await client.followPodLogs(namespace, pod.metadata.name, { container, sinceTime: seen ? `${seen.slice(0, 19)}Z` : undefined, signal: each.signal });
          const chunks = body.getReader();
          const cancel = () => void chunks.cancel().catch(() => {});
          stop.addEventListener("abort", cancel, { once: true });
          try {
            for (;;) {
              const { done, value } = await chunks.read();
              if (done) break;
              reader.push(value);
            }
            reader.end();
          } finally {
            stop.removeEventListener("abort", cancel);
          }
          // A pod that had ended was read to its end: nothing more will come.
          if (ended) return;
        } catch {
          // Refused (the container is being created, the pod went): look again.
        } finally {
          stop.removeEventListener("abort", relay);
        }
      }
      if (final) return;
      await pause(pollMs, stop);
    }
  }

  /** Reads the Job until it ended; null when `signal` aborted first. A pod stuck for a reason that will not clear ends it at once. */
  async function ending(namespace: string, name: string, container: string, signal: AbortSignal): Promise<{ failed?: Condition } | null> {
    let failures = 0;
    while (!signal.aborted) {
      let job: Awaited<ReturnType<KubeClient["get"]>>;
      let pods: LiveObject[];
      try {
        job = await client.get({ kind: "Job", namespace, name });
        pods = job ? await podsOf(namespace, name) : [];
        failures = 0;
      } catch (error) {
        // An API server restarting or one slow answer must not end a long run: it keeps running in the cluster.
        if (++failures >= READ_TRIES) throw error;
        await pause(pollMs, signal);
        continue;
      }
      if (!job) throw new BerthError("unavailable", `Job ${namespace}/${name} was deleted before it ended`);
      const status = job.status ?? {};
      const failed = (status.conditions as Condition[] | undefined)?.find((c) => c.type === "Failed" && c.status === "True");
      if ((status.succeeded ?? 0) > 0) return {};
      if (failed || (status.failed ?? 0) > 0) return { failed: failed ?? { type: "Failed", status: "True", reason: "Failed" } };
      for (const pod of pods) {
        const waiting = containerStatus(pod, container)?.state?.waiting;
        if (waiting?.reason && STUCK_REASONS.has(waiting.reason)) {
          throw new BerthError("unavailable", `pod ${pod.metadata.name} ${waiting.reason}${waiting.message ? `: ${waiting.message.split("\n")[0]}` : ""}`);
        }
      }
      await pause(pollMs, signal);
    }
    return null;
  }

  /** The exit code of the Job's container, and a line when the cluster, not the program, ended it. */
  async function exitOf(namespace: string, name: string, container: string, failed: Condition | undefined, timeout: unknown): Promise<{ exitCode: number; line?: string }> {
    const pod = newestPod(await podsOf(namespace, name).catch(() => []));
    const code = pod ? containerStatus(pod, container)?.state?.terminated?.exitCode : undefined;
    if (!failed) return { exitCode: code ?? 0 };
    if (failed.reason === "DeadlineExceeded") {
      const limit = typeof timeout === "number" ? ` (${timeout} s)` : "";
      return { exitCode: code || KILLED, line: `the cluster stopped the run: it ran longer than the Job's activeDeadlineSeconds${limit}` };
    }
    if (code) return { exitCode: code };
    return { exitCode: 1, line: `the Job failed without an exit code of its container: ${failed.reason ?? "Failed"}${failed.message ? `: ${failed.message}` : ""}` };
  }

  const removeJobs = async (namespace: string, labels: Record<string, string>, keep: (job: LiveObject) => boolean = () => true) => {
    let removed = 0;
    for (const job of await client.list("Job", namespace, labels)) {
      if (keep(job) && (await client.remove({ kind: "Job", namespace, name: job.metadata.name }))) removed++;
    }
    return removed;
  };

  return {
    async run(spec, onLine, signal) {
      signal.throwIfAborted();
      const namespace = namespaceName(spec.project, spec.environment);
      const container = spec.plan.block;
      const source = await sourceOf(spec, namespace);
      signal.throwIfAborted();
      const job = runJob(spec, namespace, source);
      const name = job.metadata.name;
      await client.apply(job);
      const stopOutput = new AbortController();
      const onAbort = () => stopOutput.abort();
      signal.addEventListener("abort", onAbort, { once: true });
      let over = false;
      let removed = false;
      const output = followOutput(namespace, name, container, onLine, stopOutput.signal, () => over);
      try {
        const ended = await ending(namespace, name, container, signal);
        if (!ended) {
          // Stopped: the Job and its pod go now (the pod gets its grace period, then is killed).
          removed = true;
          await client.remove({ kind: "Job", namespace, name });
          return { exitCode: KILLED };
        }
        const exit = await exitOf(namespace, name, container, ended.failed, source.activeDeadlineSeconds);
        over = true;
        await Promise.race([output, Bun.sleep(outputGraceMs)]);
        if (exit.line) onLine(exit.line);
        return { exitCode: exit.exitCode };
      } finally {
        signal.removeEventListener("abort", onAbort);
        stopOutput.abort();
        // As docker's runner removes its container: the output is kept by Berth, the Job is not needed.
        if (!removed) await client.remove({ kind: "Job", namespace, name }).catch(() => false);
      }
    },

    async removeRuns(runs) {
      let removed = 0;
      // None: no call, so a serve in fleet mode before `fleet init` starts without the cluster.
      for (const run of runs) removed += await removeJobs(namespaceName(run.project, run.environment), { ...environmentLabels(run.project, run.environment), [JOB_RUN_LABEL]: String(run.runId) });
      return removed;
    },

    removeEnvironment: (project, environment) =>
      // Only runs' Jobs: the release's own Jobs and CronJobs are the runtime's to remove.
      removeJobs(namespaceName(project, environment), environmentLabels(project, environment), (job) => job.metadata.labels?.[JOB_RUN_LABEL] !== undefined),
  };
}
