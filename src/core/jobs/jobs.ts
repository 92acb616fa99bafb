import type { BuildLogStore } from "../../ports/build-store.ts";
import type { JobRunner } from "../../ports/job-runner.ts";
import type { JobRunRecord, JobRunStore, JobRunUpdate, JobTrigger } from "../../ports/job-store.ts";
import type { ProjectStore } from "../../ports/project-store.ts";
import type { ReleaseBlock, ReleaseRecord, ReleaseStore } from "../../ports/release-store.ts";
import { LogChannel } from "../builds/log-channel.ts";
import { type BlockDefaults, blockPlan } from "../deploy/plan.ts";
import { wiredVariables } from "../catalog/wiring.ts";
import { BerthError, conflict, invalid, notFound } from "../errors.ts";
import { formatBytes, LogCap } from "../logs/log-cap.ts";
import { ENV_NAME } from "../names.ts";
import { durationSeconds } from "../project-file/container-fields.ts";
import { secretRedactor } from "../redact.ts";
import { valueProblem } from "../variable-text.ts";
import type { Variables } from "../variables.ts";
import { RunQueue } from "./run-queue.ts";

/** Job output, kept after the run; `remove` drops a pruned run's log. */
export interface JobLogStore extends BuildLogStore {
  remove(runId: number): void;
}

export interface JobSettings {
  /** Runs at once per machine (manual and scheduled; deploy hooks count but never wait). */
  concurrency: number;
  /** Bytes of output kept per run; the run goes on past it. */
  logLimitBytes: number;
  /** Runs kept per job and environment; older ones and their logs are deleted. */
  runsKept: number;
  blockDefaults?: BlockDefaults;
}

export interface JobDeps {
  projects: ProjectStore;
  releases: Pick<ReleaseStore, "currentRelease">;
  store: JobRunStore;
  logs: JobLogStore;
  runner: JobRunner;
  variables: Variables;
  settings: JobSettings;
  /**
   * Called once for every run that ended (not for skipped ones): the single place a `job`
   * notification is sent from. Connect the notifier here.
   */
  onFinished?: (run: JobRunRecord) => void;
  log?: (line: string) => void;
}

/** A job run's default bound, as Kubernetes users set `activeDeadlineSeconds` and Render caps runs. */
export const DEFAULT_JOB_TIMEOUT = "10m";
const FINISHED = new Set(["succeeded", "failed", "timed-out", "skipped", "cancelled"]);
const oneLine = (message: string) => message.split("\n").find((l) => l.trim() !== "")?.trim() ?? "unknown error";

/** What a run does: writes its output line by line, ends with an exit code, stops when `signal` aborts. */
export type RunWork = (write: (line: string) => void, signal: AbortSignal, run: JobRunRecord) => Promise<{ exitCode: number }>;

interface Pending {
  run: JobRunRecord;
  work: RunWork;
  timeout: string;
  /** Extra place each output line goes (the deploy log of the release a hook runs for). */
  echo?: (line: string) => void;
}

export function createJobs(deps: JobDeps) {
  const channel = new LogChannel<JobRunRecord>(deps.logs);
  const limit = deps.settings.logLimitBytes;
  const cap = new LogCap(limit, `... output truncated at ${formatBytes(limit)} (setting jobLogLimit): the run goes on; its further output is not kept`);
  /** Runs queued or running in this process, by id: how to stop each, and why it was stopped. */
  const active = new Map<number, { key: string; controller: AbortController; stopped?: "cancelled" | "timed-out" }>();
  /** Environments being removed ("project/env"): no run starts there. */
  const closing = new Set<string>();
  const now = () => new Date().toISOString();
  const keyOf = (run: Pick<JobRunRecord, "project" | "environment" | "job">) => `${run.project}/${run.environment}/${run.job}`;

  const finish = (id: number, update: JobRunUpdate): JobRunRecord => {
    const record = deps.store.updateRun(id, { ...update, finishedAt: now() });
    cap.forget(id);
    active.delete(id);
    channel.write(id, record.status === "succeeded" ? `run #${id} succeeded` : `run #${id} ${record.status}${record.reason ? `: ${record.reason}` : ""}`);
    channel.close(id, record);
    for (const old of deps.store.pruneRuns(record.project, record.environment, record.job, deps.settings.runsKept)) deps.logs.remove(old);
    if (record.status !== "skipped") {
      try {
        deps.onFinished?.(record);
      } catch (error) {
        deps.log?.(`jobs: notification for run #${id} failed: ${oneLine((error as Error).message)}`);
      }
    }
    return record;
  };

  async function execute({ run, work, timeout, echo }: Pending) {
    const entry = active.get(run.id);
    if (!entry) return;
    const redact = secretRedactor(deps.variables.secretValues(run.project, run.environment));
    const write = (line: string) => {
      const admitted = cap.admit(run.id, [redact(line)]);
      if (admitted.length === 0) return;
      channel.write(run.id, ...admitted);
      for (const kept of admitted) echo?.(kept);
    };
    const timer = setTimeout(() => {
      entry.stopped ??= "timed-out";
      entry.controller.abort();
    }, durationSeconds(timeout) * 1000);
    try {
      deps.store.updateRun(run.id, { status: "running", startedAt: now() });
      const { exitCode } = await work(write, entry.controller.signal, run);
      if (entry.stopped === "timed-out") finish(run.id, { status: "timed-out", exitCode, reason: `ran longer than its timeout (${timeout}): stopped` });
      else if (entry.stopped === "cancelled") finish(run.id, { status: "cancelled", exitCode, reason: "cancelled" });
      else if (exitCode === 0) finish(run.id, { status: "succeeded", exitCode });
      else finish(run.id, { status: "failed", exitCode, reason: `exit ${exitCode}` });
    } catch (error) {
      const stopped = entry.stopped;
      finish(run.id, { status: stopped ?? "failed", reason: stopped === "timed-out" ? `ran longer than its timeout (${timeout}): stopped` : stopped ?? redact(oneLine((error as Error).message)) });
    } finally {
      clearTimeout(timer);
    }
  }

  const queue = new RunQueue<Pending>(deps.settings.concurrency, execute);

  /** A job block's run: a container of the release's image, with the release's recorded variables (services' exports resolved). */
  const containerWork = (run: JobRunRecord, release: ReleaseRecord, block: ReleaseBlock, overrides: Record<string, string>): Pending => ({
    run,
    timeout: block.spec.timeout ?? DEFAULT_JOB_TIMEOUT,
    work: (write, signal) => {
      const ref = { project: run.project, environment: run.environment, block: run.job };
      const { env, fingerprint } = wiredVariables(deps.variables, ref, block, release.blocks);
      const plan = blockPlan(block, { ...env, ...overrides }, fingerprint, deps.settings.blockDefaults);
      return deps.runner.run({ runId: run.id, project: run.project, environment: run.environment, release: run.release ?? 0, plan, overrides }, write, signal);
    },
  });

  /** The job block of the environment's live release (its image and config are what runs). */
  function liveJob(project: string, environment: string, job: string): { release: ReleaseRecord; block: ReleaseBlock } {
    const file = deps.projects.loadProject(project);
    if (!file) throw notFound(`project "${project}"`);
    if (!file.environments[environment]) throw notFound(`environment "${environment}" in project "${project}"`);
    const release = deps.releases.currentRelease(project, environment);
    if (!release) throw invalid(`${project}/${environment} has no live release yet: deploy it first`);
    const block = release.blocks.find((b) => b.name === job);
    if (!block || block.spec.kind !== "job") {
      const jobs = release.blocks.filter((b) => b.spec.kind === "job").map((b) => b.name).sort();
      throw new BerthError("not_found", `job "${job}" not found in release ${release.number} of ${project}/${environment} (${jobs.length ? `its jobs: ${jobs.join(", ")}` : "it has no jobs"})`);
    }
    return { release, block };
  }

  function checkOverrides(overrides: Record<string, string>) {
    for (const [name, value] of Object.entries(overrides)) {
      if (!ENV_NAME.test(name)) throw invalid(`--env ${JSON.stringify(name)}: not a variable name`);
      const problem = valueProblem(value);
      if (problem) throw invalid(`--env ${name}: ${problem}`);
    }
  }

  function create(release: { project: string; environment: string; number: number | null }, block: { name: string }, trigger: JobTrigger, scheduledFor?: string): JobRunRecord {
    const run = deps.store.createRun({ project: release.project, environment: release.environment, job: block.name, trigger, release: release.number, status: "queued", scheduledFor });
    active.set(run.id, { key: keyOf(run), controller: new AbortController() });
    return run;
  }

  /** Stops the runs of an environment and deletes its run records and logs. */
  async function stopEnvironment(project: string, environment: string): Promise<void> {
    const ending: Promise<unknown>[] = [];
    for (const [id, entry] of [...active]) {
      if (!entry.key.startsWith(`${project}/${environment}/`)) continue;
      if (queue.remove((p) => p.run.id === id)) finish(id, { status: "cancelled", reason: "the environment was removed" });
      else {
        entry.stopped ??= "cancelled";
        entry.controller.abort();
        ending.push(channel.wait(id, get(id), false));
      }
    }
    await deps.runner.removeEnvironment(project, environment);
    // Their records go below: let the killed runs write their end first.
    await Promise.race([Promise.all(ending), Bun.sleep(10_000)]);
    for (const id of deps.store.removeEnvironmentRuns(project, environment)) deps.logs.remove(id);
  }

  const get = (id: number) => {
    const run = deps.store.getRun(id);
    if (!run) throw notFound(`job run ${id}`);
    return run;
  };

  return {
    /** Queues a run of a job with the live release's image: by hand (`berth job run`) or by its schedule. */
    start(project: string, environment: string, job: string, options: { trigger?: "manual" | "schedule"; env?: Record<string, string>; scheduledFor?: string } = {}): JobRunRecord {
      const trigger = options.trigger ?? "manual";
      const overrides = options.env ?? {};
      checkOverrides(overrides);
      if (closing.has(`${project}/${environment}`)) throw conflict(`${project}/${environment} is being removed`);
      const { release, block } = liveJob(project, environment, job);
      const key = `${project}/${environment}/${job}`;
      const busy = [...active.entries()].find(([, a]) => a.key === key);
      // Like a CronJob with concurrencyPolicy Forbid: the schedule never stacks runs of one job.
      if (trigger === "schedule" && busy) {
        const skipped = deps.store.createRun({ project, environment, job, trigger, release: release.number, status: "skipped", scheduledFor: options.scheduledFor });
        return finish(skipped.id, { status: "skipped", reason: `run #${busy[0]} was still running` });
      }
      const run = create(release, block, trigger, options.scheduledFor);
      void queue.push(containerWork(run, release, block, overrides));
      return run;
    },

    /**
     * Runs a job of `release` now (pre-deploy, post-deploy), past the queue: a deploy never waits
     * for scheduled runs. Resolves with the run as it ended; `echo` gets each output line too.
     */
    async runForRelease(release: ReleaseRecord, block: ReleaseBlock, trigger: "pre-deploy" | "post-deploy", echo?: (line: string) => void): Promise<JobRunRecord> {
      const run = create(release, block, trigger);
      await queue.push({ ...containerWork(run, release, block, {}), echo }, true);
      return get(run.id);
    },

    /**
     * A run that is not a container of a job block (a catalog service's backup): queued, timed,
     * logged, kept, pruned and notified like any job run, under the name `job`.
     */
    startTask(place: { project: string; environment: string; release: number | null }, job: string, trigger: "manual" | "schedule", timeout: string, work: RunWork, scheduledFor?: string): JobRunRecord {
      if (closing.has(`${place.project}/${place.environment}`)) throw conflict(`${place.project}/${place.environment} is being removed`);
      const key = `${place.project}/${place.environment}/${job}`;
      const busy = [...active.entries()].find(([, a]) => a.key === key);
      if (busy) {
        if (trigger === "manual") throw conflict(`${job} is running already (run #${busy[0]})`);
        const skipped = deps.store.createRun({ project: place.project, environment: place.environment, job, trigger, release: place.release, status: "skipped", scheduledFor });
        return finish(skipped.id, { status: "skipped", reason: `run #${busy[0]} was still running` });
      }
      const run = create({ ...place, number: place.release }, { name: job }, trigger, scheduledFor);
      void queue.push({ run, work, timeout });
      return run;
    },

    cancel(id: number): JobRunRecord {
      const run = get(id);
      if (FINISHED.has(run.status)) throw conflict(`job run ${id} already ${run.status}`);
      const entry = active.get(id);
      if (!entry) throw conflict(`job run ${id} is not running in this server`);
      if (queue.remove((p) => p.run.id === id)) return finish(id, { status: "cancelled", reason: "cancelled" });
      entry.stopped ??= "cancelled";
      entry.controller.abort();
      return get(id);
    },

    get,
    list(project: string, environment: string, job?: string, limit = 100) {
      const file = deps.projects.loadProject(project);
      if (!file) throw notFound(`project "${project}"`);
      if (!file.environments[environment]) throw notFound(`environment "${environment}" in project "${project}"`);
      return deps.store.listRuns(project, environment, job ?? null, limit);
    },
    logLines: (id: number) => (get(id), channel.read(id)),
    /** Lines so far, then each new one, until the run ends; returns an unsubscribe. */
    follow: (id: number, onLine: (line: string) => void, onDone: () => void) => channel.follow(id, FINISHED.has(get(id).status), onLine, onDone),
    wait(id: number): Promise<JobRunRecord> {
      const run = get(id);
      return channel.wait(id, run, FINISHED.has(run.status));
    },

    /**
     * At start: runs a previous process left queued or running can never finish (their output
     * stream is gone with it); they are marked failed and their containers removed.
     */
    async failInterrupted(): Promise<number> {
      const left = deps.store.unfinishedRuns();
      for (const run of left) finish(run.id, { status: "failed", reason: "interrupted: the server stopped during the run" });
      return deps.runner.removeRuns(left.map((r) => ({ runId: r.id, project: r.project, environment: r.environment })));
    },

    /**
     * An environment is being torn down: its runs stop, their containers, records and logs go,
     * and no new run starts until `teardown` (the rest of the removal) has finished, so no job
     * container joins the network while it is being removed.
     */
    async removeEnvironment(project: string, environment: string, teardown: () => Promise<void> = async () => {}): Promise<void> {
      const envKey = `${project}/${environment}`;
      closing.add(envKey);
      try {
        await stopEnvironment(project, environment);
        await teardown();
      } finally {
        closing.delete(envKey);
      }
    },
  };

}

export type Jobs = ReturnType<typeof createJobs>;

/** A run's outcome in words, for reasons and warnings: "failed (exit 3)", "timed-out". */
export function describeRun(run: JobRunRecord): string {
  if (run.status === "failed" && run.exitCode !== null) return `failed (exit ${run.exitCode})`;
  if (run.status === "failed") return `failed: ${run.reason}`;
  return run.status;
}

