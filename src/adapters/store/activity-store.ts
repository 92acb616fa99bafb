import { count, isNotNull, and, sql } from "drizzle-orm";
import type { ActivityKind, ActivityStore } from "../../ports/metrics-store.ts";
import type { Db } from "./db.ts";
import { builds, releases } from "./schema.ts";

/** Builds and releases as Prometheus sees them: read from their tables when scraped. */
export function createActivityStore(db: Db): ActivityStore {
  const seconds = (from: unknown, to: unknown) => sql<number>`(julianday(${to}) - julianday(${from})) * 86400`;
  return {
    activity() {
      const buildKind: ActivityKind = {
        byStatus: Object.fromEntries(db.select({ status: builds.status, n: count() }).from(builds).groupBy(builds.status).all().map((r) => [r.status, r.n])),
        durations: db.select({ d: seconds(builds.startedAt, builds.finishedAt) }).from(builds).where(and(isNotNull(builds.startedAt), isNotNull(builds.finishedAt))).all().map((r) => r.d),
      };
      const deployKind: ActivityKind = {
        byStatus: Object.fromEntries(db.select({ status: releases.status, n: count() }).from(releases).groupBy(releases.status).all().map((r) => [r.status, r.n])),
        durations: db.select({ d: seconds(releases.createdAt, releases.finishedAt) }).from(releases).where(isNotNull(releases.finishedAt)).all().map((r) => r.d),
      };
      return { builds: buildKind, deploys: deployKind };
    },
  };
}
