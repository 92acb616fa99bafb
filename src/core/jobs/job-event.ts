import type { JobRunRecord } from "../../ports/job-store.ts";
import type { NotifyEvent } from "../notify/event.ts";

/** The one mapping from a finished job run to what the project's receivers are told. */
export function jobEvent(run: JobRunRecord): NotifyEvent {
  return {
    kind: "job",
    project: run.project,
    environment: run.environment,
    number: run.id,
    job: run.job,
    source: run.trigger,
    status: run.status,
    ok: run.status === "succeeded",
    reason: run.reason,
    startedAt: run.startedAt ?? run.createdAt,
    finishedAt: run.finishedAt ?? new Date().toISOString(),
  };
}
