import { and, desc, eq, inArray, lt, sql } from "drizzle-orm";
import type { ReleaseBlock, ReleaseRecord, ReleaseStore } from "../../ports/release-store.ts";
import type { Db } from "./db.ts";
import { environments, projects, releases } from "./schema.ts";

export function createReleaseStore(db: Db): ReleaseStore {
  const select = () =>
    db.select({
      id: releases.id, project: projects.name, environment: environments.name, number: releases.number,
      blocks: sql<string>`${releases.blocks}`, status: releases.status, reason: releases.reason, warnings: sql<string>`${releases.warnings}`,
      source: releases.source, actor: releases.actor,
      createdAt: releases.createdAt, finishedAt: releases.finishedAt,
    }).from(releases)
      .innerJoin(environments, eq(environments.id, releases.environmentId))
      .innerJoin(projects, eq(projects.id, environments.projectId));

  const row = (r: ReturnType<ReturnType<typeof select>["all"]>[number]): ReleaseRecord => ({ ...r, blocks: JSON.parse(r.blocks) as ReleaseBlock[], warnings: JSON.parse(r.warnings) as string[] });
  const getRelease = (id: number) => {
    const r = select().where(eq(releases.id, id)).get();
    return r ? row(r) : null;
  };
  const inEnv = (project: string, environment: string) => and(eq(projects.name, project), eq(environments.name, environment));

  return {
    createRelease(project, environment, origin = {}) {
      const id = db.transaction((tx) => {
        const env = tx.select({ id: environments.id }).from(environments).innerJoin(projects, eq(projects.id, environments.projectId))
          .where(inEnv(project, environment)).get();
        if (!env) throw new Error(`no environment row for ${project}/${environment}`);
        const last = tx.select({ n: sql<number>`coalesce(max(${releases.number}), 0)` }).from(releases).where(eq(releases.environmentId, env.id)).get()!.n;
        const { id } = tx.insert(releases).values({ environmentId: env.id, number: last + 1, blocks: [], status: "building", source: origin.source ?? "deploy", actor: origin.actor ?? null }).returning({ id: releases.id }).get();
        return id;
      });
      return getRelease(id)!;
    },
    freezeRelease(id, blocks) {
      db.update(releases).set({ blocks, status: "deploying" }).where(eq(releases.id, id)).run();
      return getRelease(id)!;
    },
    finishRelease(id, status, reason) {
      db.update(releases).set({ status, reason, finishedAt: new Date().toISOString() }).where(eq(releases.id, id)).run();
      return getRelease(id)!;
    },
    addWarning(id, warning) {
      db.update(releases).set({ warnings: sql`json_insert(${releases.warnings}, '$[#]', ${warning})` }).where(eq(releases.id, id)).run();
      return getRelease(id)!;
    },
    getRelease,
    listReleases: (project, environment, limit) => select().where(inEnv(project, environment)).orderBy(desc(releases.number)).limit(limit).all().map(row),
    releaseByNumber(project, environment, number) {
      const r = select().where(and(inEnv(project, environment), eq(releases.number, number))).get();
      return r ? row(r) : null;
    },
    deployedBefore(project, environment, before) {
      const r = select().where(and(inEnv(project, environment), eq(releases.status, "deployed"), lt(releases.number, before))).orderBy(desc(releases.number)).get();
      return r ? row(r) : null;
    },
    unfinishedReleases: () => select().where(inArray(releases.status, ["building", "deploying"])).all().map(row),
    currentRelease(project, environment) {
      const r = select().where(and(inEnv(project, environment), eq(releases.status, "deployed"))).orderBy(desc(releases.number)).get();
      return r ? row(r) : null;
    },
    referencedImageIds() {
      const ids = new Set<string>();
      for (const r of db.select({ blocks: sql<string>`${releases.blocks}` }).from(releases).all()) {
        for (const b of JSON.parse(r.blocks) as ReleaseBlock[]) ids.add(b.imageId);
      }
      return ids;
    },
  };
}
