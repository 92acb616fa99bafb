export type JobTrigger = "manual" | "schedule" | "pre-deploy" | "post-deploy";
export type JobRunStatus = "queued" | "running" | "succeeded" | "failed" | "timed-out" | "skipped" | "cancelled";

export interface JobRunRecord {
  id: number;
  project: string;
  environment: string;
  job: string;
  trigger: JobTrigger;
  /** The release whose image and config the run used. */
  release: number | null;
  status: JobRunStatus;
  exitCode: number | null;
  /** Why a run did not succeed: one line. */
  reason: string | null;
  /** Schedule runs: the time the schedule fired for. */
  scheduledFor: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export type JobRunUpdate = Partial<Pick<JobRunRecord, "status" | "exitCode" | "reason" | "startedAt" | "finishedAt">>;

export interface JobRunStore {
  createRun(run: Pick<JobRunRecord, "project" | "environment" | "job" | "trigger" | "release" | "status"> & { scheduledFor?: string | null; reason?: string | null }): JobRunRecord;
  updateRun(id: number, update: JobRunUpdate): JobRunRecord;
  getRun(id: number): JobRunRecord | null;
  /** Newest first; one job's or all jobs' of the environment. */
  listRuns(project: string, environment: string, job: string | null, limit: number): JobRunRecord[];
  /** Runs left queued or running by a previous process. */
  unfinishedRuns(): JobRunRecord[];
  /** Deletes the runs of a job beyond the newest `keep`; returns the ids that went (their logs go too). */
  pruneRuns(project: string, environment: string, job: string, keep: number): number[];
  /** Deletes every run of an environment; returns their ids. */
  removeEnvironmentRuns(project: string, environment: string): number[];
}
