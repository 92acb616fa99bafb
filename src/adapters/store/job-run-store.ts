import { and, desc, eq, inArray, notInArray } from "drizzle-orm";
import type { JobRunRecord, JobRunStore } from "../../ports/job-store.ts";
import type { Db } from "./db.ts";
import { jobRuns } from "./schema.ts";

export function createJobRunStore(db: Db): JobRunStore {
  const getRun = (id: number): JobRunRecord | null => db.select().from(jobRuns).where(eq(jobRuns.id, id)).get() ?? null;
  const inEnv = (project: string, environment: string) => and(eq(jobRuns.project, project), eq(jobRuns.environment, environment));

  return {
    createRun(run) {
      const { id } = db.insert(jobRuns).values({ ...run, scheduledFor: run.scheduledFor ?? null, reason: run.reason ?? null }).returning({ id: jobRuns.id }).get();
      return getRun(id)!;
    },
    updateRun(id, update) {
      db.update(jobRuns).set(update).where(eq(jobRuns.id, id)).run();
      return getRun(id)!;
    },
    getRun,
    listRuns: (project, environment, job, limit) =>
      db.select().from(jobRuns).where(job === null ? inEnv(project, environment) : and(inEnv(project, environment), eq(jobRuns.job, job)))
        .orderBy(desc(jobRuns.id)).limit(limit).all(),
    unfinishedRuns: () => db.select().from(jobRuns).where(inArray(jobRuns.status, ["queued", "running"])).all(),
    pruneRuns(project, environment, job, keep) {
      return db.transaction((tx) => {
        const where = and(inEnv(project, environment), eq(jobRuns.job, job));
        const kept = tx.select({ id: jobRuns.id }).from(jobRuns).where(where).orderBy(desc(jobRuns.id)).limit(keep).all().map((r) => r.id);
        const old = tx.select({ id: jobRuns.id }).from(jobRuns).where(and(where, notInArray(jobRuns.id, kept.length ? kept : [0]))).all().map((r) => r.id);
        if (old.length > 0) tx.delete(jobRuns).where(inArray(jobRuns.id, old)).run();
        return old;
      });
    },
    removeEnvironmentRuns(project, environment) {
      const ids = db.select({ id: jobRuns.id }).from(jobRuns).where(inEnv(project, environment)).all().map((r) => r.id);
      if (ids.length > 0) db.delete(jobRuns).where(inArray(jobRuns.id, ids)).run();
      return ids;
    },
  };
}
