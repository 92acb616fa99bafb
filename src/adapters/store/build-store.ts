import { desc, eq, inArray } from "drizzle-orm";
import type { BuildRecord, BuildStore } from "../../ports/build-store.ts";
import type { Db } from "./db.ts";
import { builds, projects } from "./schema.ts";

export function createBuildStore(db: Db): BuildStore {
  const select = () =>
    db.select({
      id: builds.id, project: projects.name, block: builds.block, environment: builds.environment, status: builds.status,
      ref: builds.ref, commit: builds.commit, image: builds.image, imageId: builds.imageId, cacheHit: builds.cacheHit,
      reason: builds.reason, createdAt: builds.createdAt, startedAt: builds.startedAt, finishedAt: builds.finishedAt,
    }).from(builds).innerJoin(projects, eq(projects.id, builds.projectId));

  const getBuild = (id: number): BuildRecord | null => select().where(eq(builds.id, id)).get() ?? null;

  return {
    createBuild(build) {
      const project = db.select({ id: projects.id }).from(projects).where(eq(projects.name, build.project)).get();
      if (!project) throw new Error(`no project row for ${build.project}`);
      const { id } = db.insert(builds).values({ projectId: project.id, block: build.block, environment: build.environment, ref: build.ref, status: "queued" })
        .returning({ id: builds.id }).get();
      return getBuild(id)!;
    },
    updateBuild(id, update) {
      db.update(builds).set(update).where(eq(builds.id, id)).run();
      return getBuild(id)!;
    },
    getBuild,
    listBuilds: (project, limit) => select().where(eq(projects.name, project)).orderBy(desc(builds.id)).limit(limit).all(),
    unfinishedBuilds: () => select().where(inArray(builds.status, ["queued", "running"])).all(),
  };
}
