import { and, eq } from "drizzle-orm";
import type { BlockRef, CredentialStore } from "../../ports/credential-store.ts";
import type { Db } from "./db.ts";
import { blockCredentials, blocks, projects } from "./schema.ts";

export function createCredentialStore(db: Db): CredentialStore {
  const blockId = (ref: BlockRef) =>
    db.select({ id: blocks.id }).from(blocks).innerJoin(projects, eq(projects.id, blocks.projectId))
      .where(and(eq(projects.name, ref.project), eq(blocks.name, ref.block))).get()?.id;

  return {
    getCredentials(ref) {
      const id = blockId(ref);
      if (id === undefined) return null;
      const row = db.select().from(blockCredentials).where(eq(blockCredentials.blockId, id)).get();
      return row ? { sshPrivateKey: row.sshPrivateKey, sshPublicKey: row.sshPublicKey, httpsToken: row.httpsToken } : null;
    },
    setCredentials(ref, update) {
      const id = blockId(ref);
      if (id === undefined) throw new Error(`no block row for ${ref.project}/${ref.block}`);
      const updatedAt = new Date().toISOString();
      db.insert(blockCredentials).values({ blockId: id, ...update, updatedAt })
        .onConflictDoUpdate({ target: blockCredentials.blockId, set: { ...update, updatedAt } }).run();
    },
  };
}
