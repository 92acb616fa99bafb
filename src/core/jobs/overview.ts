import type { JobRunRecord } from "../../ports/job-store.ts";
import type { ProjectStore } from "../../ports/project-store.ts";
import type { ReleaseStore } from "../../ports/release-store.ts";
import { notFound } from "../errors.ts";
import { resolveBlock } from "../project-file/resolve.ts";
import type { BlockSpec } from "../project-file/schema.ts";
import type { Jobs } from "./jobs.ts";
import { nextRunOf } from "./schedule.ts";
import { backupJobName } from "../catalog/backups.ts";

export interface JobOverview {
  name: string;
  /** `schedule`, or the job's trigger (`manual` when it sets neither). */
  trigger: "schedule" | "pre-deploy" | "post-deploy" | "manual";
  schedule: string | null;
  timezone: string | null;
  /** The next scheduled run; null unless the job has a schedule and the environment a live release. */
  nextRun: string | null;
  lastRun: Pick<JobRunRecord, "id" | "trigger" | "status" | "exitCode" | "finishedAt"> | null;
}

const triggerOf = (spec: BlockSpec): JobOverview["trigger"] => (spec.schedule ? "schedule" : (spec.trigger ?? "manual"));

/**
 * Each job of an environment: as its live release has it (what runs and is scheduled), else as
 * the project file has it (not yet deployed: nothing is scheduled).
 */
export function jobsOverview(
  deps: { projects: Pick<ProjectStore, "loadProject">; releases: Pick<ReleaseStore, "currentRelease">; jobs: Pick<Jobs, "list"> },
  project: string,
  environment: string,
  now = new Date(),
): JobOverview[] {
  const file = deps.projects.loadProject(project);
  if (!file) throw notFound(`project "${project}"`);
  if (!file.environments[environment]) throw notFound(`environment "${environment}" in project "${project}"`);
  const live = deps.releases.currentRelease(project, environment);
  const specs: [string, BlockSpec][] = live
    ? live.blocks.filter((b) => b.spec.kind === "job").map((b) => [b.name, b.spec])
    : Object.keys(file.blocks).map((name) => [name, resolveBlock(file, environment, name)] as [string, BlockSpec]).filter(([, s]) => s.kind === "job");
  // A catalog service's scheduled backups are job runs too (core/catalog/backups.ts): listed beside the jobs.
  for (const b of live?.blocks ?? []) {
    if (b.spec.template && b.spec.backup?.schedule) specs.push([backupJobName(b.name), { kind: "job", schedule: b.spec.backup.schedule }]);
  }
  const recent = deps.jobs.list(project, environment, undefined, 200);
  return specs
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, spec]) => {
      const last = recent.find((r) => r.job === name && r.status !== "queued" && r.status !== "running") ?? null;
      return {
        name,
        trigger: triggerOf(spec),
        schedule: spec.schedule ?? null,
        timezone: spec.schedule ? (spec.timezone ?? "UTC") : null,
        nextRun: live ? (nextRunOf(spec, now)?.toISOString() ?? null) : null,
        lastRun: last && { id: last.id, trigger: last.trigger, status: last.status, exitCode: last.exitCode, finishedAt: last.finishedAt },
      };
    });
}
