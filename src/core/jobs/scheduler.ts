import type { Cron } from "croner";
import type { ProjectStore } from "../../ports/project-store.ts";
import type { ReleaseStore } from "../../ports/release-store.ts";
import type { BlockSpec } from "../project-file/schema.ts";
import type { Jobs } from "./jobs.ts";
import { cronOf, missedRun } from "./schedule.ts";
import { backupJobName, type ServiceBackups } from "../catalog/backups.ts";

/** How often the wanted schedules are compared with the running ones (deploys, deletes). */
const REFRESH_MS = 2_000;

export interface SchedulerDeps {
  projects: Pick<ProjectStore, "listProjects">;
  releases: Pick<ReleaseStore, "currentRelease">;
  jobs: Pick<Jobs, "start" | "list">;
  /** Catalog services' `backup.schedule`: each fires a backup, recorded as a run of `<block>-backup`. */
  backups?: Pick<ServiceBackups, "take">;
  /** False in fleet mode: the cluster's CronJobs run scheduled jobs, and only backups are fired here. Default true. */
  runsJobs?: boolean;
  now?: () => Date;
}

interface Scheduled {
  signature: string;
  cron: Cron;
}

/**
 * The cron scheduler of the control plane. Level-based: each refresh reads which jobs should be
 * scheduled (jobs with a `schedule` in the live release of each environment) and starts or stops
 * timers to match, so deploys, changed schedules and deleted environments are followed without
 * being told. A schedule fires `jobs.start` with trigger `schedule`; Forbid is enforced there.
 */
export function createScheduler(deps: SchedulerDeps) {
  const scheduled = new Map<string, Scheduled>();
  const now = deps.now ?? (() => new Date());
  let timer: ReturnType<typeof setInterval> | undefined;
  let log: (line: string) => void = () => {};

  interface Wanted {
    project: string;
    environment: string;
    job: string;
    spec: BlockSpec;
    /** The block a backup schedule dumps; none for a job. */
    service?: string;
  }

  /** Every scheduled job wanted now, and every catalog service's backup schedule, by "project/env/job". */
  function wanted(): Map<string, Wanted> {
    const out = new Map<string, Wanted>();
    for (const summary of deps.projects.listProjects()) {
      for (const environment of summary.environments) {
        const release = deps.releases.currentRelease(summary.name, environment);
        for (const block of release?.blocks ?? []) {
          const backupSchedule = block.spec.template && deps.backups ? block.spec.backup?.schedule : undefined;
          if (backupSchedule) {
            const job = backupJobName(block.name);
            // The backup's own schedule, in UTC, with no catching up: a dump runs when it is due.
            out.set(`${summary.name}/${environment}/${job}`, { project: summary.name, environment, job, spec: { kind: "job", schedule: backupSchedule }, service: block.name });
          }
          if (block.spec.kind !== "job" || !block.spec.schedule || deps.runsJobs === false) continue;
          out.set(`${summary.name}/${environment}/${block.name}`, { project: summary.name, environment, job: block.name, spec: block.spec });
        }
      }
    }
    return out;
  }

  function fire(project: string, environment: string, job: string, at: Date, service?: string) {
    try {
      // A skipped run is in the job's history; a line per skip would flood serve's output on a fast schedule.
      if (service) deps.backups!.take(project, environment, service, "schedule", at.toISOString());
      else deps.jobs.start(project, environment, job, { trigger: "schedule", scheduledFor: at.toISOString() });
    } catch (error) {
      log(`jobs: ${project}/${environment} ${job}: scheduled run not started: ${(error as Error).message.split("\n")[0]}`);
    }
  }

  /** The last time the schedule started (or skipped) a run of this job, from the history. */
  function lastScheduled(project: string, environment: string, job: string): Date | null {
    const last = deps.jobs.list(project, environment, job, 100).find((r) => r.trigger === "schedule" && r.scheduledFor);
    return last ? new Date(last.scheduledFor!) : null;
  }

  function refresh(catchUp = false) {
    const want = wanted();
    for (const [key, entry] of scheduled) {
      const target = want.get(key);
      if (!target || signatureOf(target.spec) !== entry.signature) {
        entry.cron.stop();
        scheduled.delete(key);
      }
    }
    for (const [key, { project, environment, job, spec, service }] of want) {
      if (scheduled.has(key)) continue;
      if (catchUp) {
        const missed = missedRun(spec, now(), lastScheduled(project, environment, job));
        if (missed) {
          log(`jobs: ${project}/${environment} ${job}: the run at ${missed.toISOString()} was missed while the server was down; starting it now (startingDeadline ${spec.startingDeadline})`);
          fire(project, environment, job, missed, service);
        }
      }
      scheduled.set(key, { signature: signatureOf(spec), cron: cronOf(spec, (at) => fire(project, environment, job, at, service)) });
    }
  }

  return {
    /** Starts scheduling (making up runs missed within their startingDeadline); returns a stop function. */
    start(logTo: (line: string) => void): () => void {
      log = logTo;
      refresh(true);
      timer = setInterval(() => {
        try {
          refresh();
        } catch (error) {
          log(`jobs: schedules not refreshed: ${(error as Error).message.split("\n")[0]}`);
        }
      }, REFRESH_MS);
      return () => {
        clearInterval(timer);
        for (const entry of scheduled.values()) entry.cron.stop();
        scheduled.clear();
      };
    },
    refresh: () => refresh(),
    /** When a job's schedule fires next in this server; null when it is not scheduled (no live release, no schedule, not serving). */
    nextRun(project: string, environment: string, job: string): string | null {
      return scheduled.get(`${project}/${environment}/${job}`)?.cron.nextRun()?.toISOString() ?? null;
    },
  };
}

const signatureOf = (spec: BlockSpec) => `${spec.schedule}|${spec.timezone ?? "UTC"}`;

export type Scheduler = ReturnType<typeof createScheduler>;
