import { and, asc, eq, inArray } from "drizzle-orm";
import type { StoredVariable, VariableRef, VariableStore } from "../../ports/variable-store.ts";
import type { Db } from "./db.ts";
import { blocks, environments, projects, variables } from "./schema.ts";

export function createVariableStore(db: Db): VariableStore {
  const envId = (project: string, environment: string) =>
    db.select({ id: environments.id }).from(environments)
      .innerJoin(projects, eq(projects.id, environments.projectId))
      .where(and(eq(projects.name, project), eq(environments.name, environment))).get()?.id;

  /** Row ids for a ref; core checks existence first, so a miss here is a bug, not user input. */
  const ids = (ref: VariableRef) => {
    const row = db.select({ envId: environments.id, blockId: blocks.id }).from(environments)
      .innerJoin(projects, eq(projects.id, environments.projectId))
      .innerJoin(blocks, eq(blocks.projectId, projects.id))
      .where(and(eq(projects.name, ref.project), eq(environments.name, ref.environment), eq(blocks.name, ref.block))).get();
    if (!row) throw new Error(`no environment/block row for ${ref.project}/${ref.environment}/${ref.block}`);
    return row;
  };

  return {
    listVariables(ref): StoredVariable[] {
      const { envId, blockId } = ids(ref);
      return db.select({ name: variables.name, value: variables.value, secret: variables.secret, updatedAt: variables.updatedAt })
        .from(variables).where(and(eq(variables.environmentId, envId), eq(variables.blockId, blockId)))
        .orderBy(asc(variables.name)).all();
    },

    listEnvironmentVariables(project, environment) {
      const id = envId(project, environment);
      const byBlock = new Map<string, StoredVariable[]>();
      if (id === undefined) return byBlock;
      const rows = db.select({ block: blocks.name, name: variables.name, value: variables.value, secret: variables.secret, updatedAt: variables.updatedAt })
        .from(variables).innerJoin(blocks, eq(blocks.id, variables.blockId))
        .where(eq(variables.environmentId, id)).orderBy(asc(blocks.name), asc(variables.name)).all();
      for (const { block, ...row } of rows) byBlock.set(block, [...(byBlock.get(block) ?? []), row]);
      return byBlock;
    },

    setVariables(ref, vars) {
      const { envId, blockId } = ids(ref);
      const updatedAt = new Date().toISOString();
      db.transaction((tx) => {
        for (const v of vars) {
          tx.insert(variables).values({ environmentId: envId, blockId, ...v, updatedAt })
            .onConflictDoUpdate({
              target: [variables.environmentId, variables.blockId, variables.name],
              set: { value: v.value, secret: v.secret, updatedAt },
            }).run();
        }
      });
    },

    unsetVariables(ref, names) {
      const { envId, blockId } = ids(ref);
      return db.delete(variables)
        .where(and(eq(variables.environmentId, envId), eq(variables.blockId, blockId), inArray(variables.name, names)))
        .returning({ id: variables.id }).all().length;
    },

    copyVariables(project, from, to) {
      const [source, target] = [envId(project, from), envId(project, to)];
      if (source === undefined || target === undefined) throw new Error(`no environment rows for ${project}/${from} → ${to}`);
      const rows = db.select().from(variables).where(eq(variables.environmentId, source)).all();
      db.transaction((tx) => {
        for (const { id: _id, environmentId: _env, ...row } of rows) tx.insert(variables).values({ ...row, environmentId: target }).run();
      });
    },
  };
}
