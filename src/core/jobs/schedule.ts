import { Cron } from "croner";
import type { BlockSpec } from "../project-file/schema.ts";
import { durationSeconds } from "../project-file/container-fields.ts";

/** A job's schedule as croner reads it: 5 fields, or 6 with leading seconds; UTC unless `timezone`. */
export function cronOf(spec: Pick<BlockSpec, "schedule" | "timezone">, run?: (at: Date) => void): Cron {
  const options = { timezone: spec.timezone ?? "UTC", mode: "5-or-6-parts" as const, paused: !run };
  return run ? new Cron(spec.schedule!, options, (self: Cron) => run(self.currentRun() ?? new Date())) : new Cron(spec.schedule!, options);
}

/** When the schedule fires next after `from`; null for a job with no schedule. */
export function nextRunOf(spec: Pick<BlockSpec, "schedule" | "timezone">, from: Date): Date | null {
  return spec.schedule ? cronOf(spec).nextRun(from) : null;
}

/**
 * The scheduled time missed while serve was down that should still run now, if any: the last
 * time the schedule fired before `now`, when it lies within `startingDeadline` and after
 * `lastRun` (the last schedule run recorded). As a CronJob's startingDeadlineSeconds: without
 * a deadline, missed runs are never made up.
 */
export function missedRun(spec: Pick<BlockSpec, "schedule" | "timezone" | "startingDeadline">, now: Date, lastRun: Date | null): Date | null {
  if (!spec.schedule || !spec.startingDeadline) return null;
  const [previous] = cronOf(spec).previousRuns(1, now);
  if (!previous) return null;
  if (now.getTime() - previous.getTime() > durationSeconds(spec.startingDeadline) * 1000) return null;
  if (lastRun && lastRun.getTime() >= previous.getTime()) return null;
  return previous;
}
