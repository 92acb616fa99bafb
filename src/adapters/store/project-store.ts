import { and, asc, eq, notInArray, sql } from "drizzle-orm";
import type { ProjectFile } from "../../core/project-file/schema.ts";
import type { ProjectStore, ProjectSummary } from "../../ports/project-store.ts";
import type { Db } from "./db.ts";
import { blockOverrides, blocks, environments, projects } from "./schema.ts";

const now = () => new Date().toISOString();

/** `autoDeploy` in its integer column: 0 and 1 are the booleans earlier versions stored, 2 is `poll`. */
const AUTO_DEPLOY_READ: Record<number, boolean | "poll"> = { 0: false, 1: true, 2: "poll" };
const AUTO_DEPLOY_WRITE: Record<string, number> = { false: 0, true: 1, poll: 2 };

export function createProjectStore(db: Db): ProjectStore {
  const projectId = (name: string) => db.select({ id: projects.id }).from(projects).where(eq(projects.name, name)).get()?.id;

  return {
    listProjects(): ProjectSummary[] {
      const rows = db.select().from(projects).orderBy(asc(projects.name)).all();
      return rows.map((p) => ({
        name: p.name,
        updatedAt: p.updatedAt,
        blocks: db.select({ n: sql<number>`count(*)` }).from(blocks).where(eq(blocks.projectId, p.id)).get()!.n,
        environments: db
          .select({ name: environments.name })
          .from(environments)
          .where(eq(environments.projectId, p.id))
          .orderBy(asc(environments.position))
          .all()
          .map((e) => e.name),
      }));
    },

    loadProject(name: string): ProjectFile | null {
      const id = projectId(name);
      if (id === undefined) return null;
      const blockRows = db.select().from(blocks).where(eq(blocks.projectId, id)).orderBy(asc(blocks.position)).all();
      const envRows = db.select().from(environments).where(eq(environments.projectId, id)).orderBy(asc(environments.position)).all();
      const blockName = new Map(blockRows.map((b) => [b.id, b.name]));
      const file: ProjectFile = {
        project: name,
        blocks: Object.fromEntries(blockRows.map((b) => [b.name, b.spec])),
        environments: {},
      };
      for (const env of envRows) {
        const overrides = db.select().from(blockOverrides).where(eq(blockOverrides.environmentId, env.id)).all();
        overrides.sort((a, b) => blockRows.findIndex((r) => r.id === a.blockId) - blockRows.findIndex((r) => r.id === b.blockId));
        file.environments[env.name] = {
          ...(env.ref !== null && { ref: env.ref }),
          ...(env.autoDeploy !== null && { autoDeploy: AUTO_DEPLOY_READ[env.autoDeploy] ?? false }),
          ...(overrides.length > 0 && { blocks: Object.fromEntries(overrides.map((o) => [blockName.get(o.blockId)!, o.spec])) }),
        };
      }
      return file;
    },

    saveProject(file: ProjectFile): void {
      db.transaction((tx) => {
        const stamp = now();
        const id =
          tx.insert(projects).values({ name: file.project, updatedAt: stamp })
            .onConflictDoUpdate({ target: projects.name, set: { updatedAt: stamp } })
            .returning({ id: projects.id }).get().id;

        const blockNames = Object.keys(file.blocks);
        tx.delete(blocks).where(and(eq(blocks.projectId, id), notInArray(blocks.name, blockNames.length ? blockNames : [""]))).run();
        // One statement for all blocks: built per block, an apply of 100 blocks made 2.6 MB of garbage.
        const rows = blockNames.map((name, position) => ({ projectId: id, name, kind: file.blocks[name]!.kind, spec: file.blocks[name]!, position }));
        const saved = rows.length === 0 ? [] : tx.insert(blocks).values(rows)
          .onConflictDoUpdate({ target: [blocks.projectId, blocks.name], set: { kind: sql.raw("excluded.kind"), spec: sql.raw("excluded.spec"), position: sql.raw("excluded.position") } })
          .returning({ id: blocks.id, name: blocks.name }).all();
        const blockIds = new Map(saved.map((b) => [b.name, b.id]));

        const envNames = Object.keys(file.environments);
        tx.delete(environments).where(and(eq(environments.projectId, id), notInArray(environments.name, envNames.length ? envNames : [""]))).run();
        envNames.forEach((name, position) => {
          const env = file.environments[name]!;
          const values = { ref: env.ref ?? null, autoDeploy: env.autoDeploy === undefined ? null : AUTO_DEPLOY_WRITE[String(env.autoDeploy)]!, position };
          const envId = tx.insert(environments).values({ projectId: id, name, ...values })
            .onConflictDoUpdate({ target: [environments.projectId, environments.name], set: values })
            .returning({ id: environments.id }).get().id;
          tx.delete(blockOverrides).where(eq(blockOverrides.environmentId, envId)).run();
          for (const [block, spec] of Object.entries(env.blocks ?? {})) {
            tx.insert(blockOverrides).values({ environmentId: envId, blockId: blockIds.get(block)!, spec }).run();
          }
        });
      });
    },

    stoppedSince(project, environment) {
      return db.select({ at: environments.stoppedAt }).from(environments).innerJoin(projects, eq(projects.id, environments.projectId))
        .where(and(eq(projects.name, project), eq(environments.name, environment))).get()?.at ?? null;
    },

    setStopped(project, environment, stopped) {
      const id = db.select({ id: environments.id }).from(environments).innerJoin(projects, eq(projects.id, environments.projectId))
        .where(and(eq(projects.name, project), eq(environments.name, environment))).get()?.id;
      if (id !== undefined) db.update(environments).set({ stoppedAt: stopped ? now() : null }).where(eq(environments.id, id)).run();
    },

    deleteProject(name: string): boolean {
      return db.delete(projects).where(eq(projects.name, name)).returning({ id: projects.id }).all().length > 0;
    },
  };
}
