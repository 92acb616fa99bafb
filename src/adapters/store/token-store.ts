import { asc, eq, sql } from "drizzle-orm";
import type { TokenRecord, TokenStore } from "../../ports/token-store.ts";
import type { Db } from "./db.ts";
import { apiTokens, users } from "./schema.ts";

const publicColumns = {
  id: apiTokens.id,
  name: apiTokens.name,
  role: apiTokens.role,
  userId: apiTokens.userId,
  project: apiTokens.project,
  expiresAt: apiTokens.expiresAt,
  createdAt: apiTokens.createdAt,
  lastUsedAt: apiTokens.lastUsedAt,
};

export function createTokenStore(db: Db): TokenStore {
  return {
    countUsers: () => db.select({ n: sql<number>`count(*)` }).from(users).get()!.n,
    createUser: (name, role) => db.insert(users).values({ name, role }).returning({ id: users.id }).get().id,
    firstOwnerId: () => db.select({ id: users.id }).from(users).where(eq(users.role, "owner")).orderBy(asc(users.id)).get()?.id ?? null,
    createToken: (token) => db.insert(apiTokens).values(token).returning(publicColumns).get(),
    findTokenByHash: (hash): TokenRecord | null => db.select(publicColumns).from(apiTokens).where(eq(apiTokens.hash, hash)).get() ?? null,
    touchToken: (id) => {
      db.update(apiTokens).set({ lastUsedAt: new Date().toISOString() }).where(eq(apiTokens.id, id)).run();
    },
    listTokens: (userId) =>
      db
        .select({ ...publicColumns, user: users.name })
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.userId))
        .where(userId === undefined ? undefined : eq(apiTokens.userId, userId))
        .orderBy(asc(apiTokens.createdAt))
        .all(),
    deleteToken: (id) => db.delete(apiTokens).where(eq(apiTokens.id, id)).returning({ id: apiTokens.id }).all().length > 0,
  };
}
