import { and, asc, eq, lt, sql } from "drizzle-orm";
import type { UserRecord, UserStore } from "../../ports/user-store.ts";
import type { Db } from "./db.ts";
import { invitations, projectGrants, projects, sessions, userKeys, users } from "./schema.ts";

const userColumns = {
  id: users.id,
  name: users.name,
  role: users.role,
  hasPassword: sql<number>`${users.passwordHash} IS NOT NULL`,
  createdAt: users.createdAt,
};

type Row = Omit<UserRecord, "hasPassword"> & { hasPassword: number };
const toUser = (row: Row | undefined): UserRecord | null => (row ? { ...row, hasPassword: Boolean(row.hasPassword) } : null);

const projectId = (db: Db, name: string) => db.select({ id: projects.id }).from(projects).where(eq(projects.name, name)).get()?.id ?? null;

export function createUserStore(db: Db): UserStore {
  return {
    listUsers: () => db.select(userColumns).from(users).orderBy(asc(users.name)).all().map((r) => toUser(r)!),
    findUser: (name) => toUser(db.select(userColumns).from(users).where(eq(users.name, name)).get()),
    userById: (id) => toUser(db.select(userColumns).from(users).where(eq(users.id, id)).get()),
    createUser: (name, role, passwordHash) => toUser(db.insert(users).values({ name, role, passwordHash }).returning(userColumns).get())!,
    setRole: (userId, role) => void db.update(users).set({ role }).where(eq(users.id, userId)).run(),
    setPasswordHash: (userId, hash) => void db.update(users).set({ passwordHash: hash }).where(eq(users.id, userId)).run(),
    passwordHash: (userId) => db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, userId)).get()?.hash ?? null,
    deleteUser: (userId) => db.delete(users).where(eq(users.id, userId)).returning({ id: users.id }).all().length > 0,
    countOwners: () => db.select({ n: sql<number>`count(*)` }).from(users).where(eq(users.role, "owner")).get()!.n,

    listKeys: (userId) => db.select().from(userKeys).where(eq(userKeys.userId, userId)).orderBy(asc(userKeys.createdAt)).all(),
    findKey: (fingerprint) => db.select().from(userKeys).where(eq(userKeys.fingerprint, fingerprint)).get() ?? null,
    addKey: (key) => db.insert(userKeys).values(key).returning().get(),
    deleteKey: (userId, fingerprint) =>
      db.delete(userKeys).where(and(eq(userKeys.userId, userId), eq(userKeys.fingerprint, fingerprint))).returning({ f: userKeys.fingerprint }).all().length > 0,

    grantsOf: (userId) =>
      db
        .select({ project: projects.name, role: projectGrants.role })
        .from(projectGrants)
        .innerJoin(projects, eq(projects.id, projectGrants.projectId))
        .where(eq(projectGrants.userId, userId))
        .orderBy(asc(projects.name))
        .all(),
    membersOf: (project) => {
      const id = projectId(db, project);
      if (id === null) return null;
      return db
        .select({ user: users.name, role: projectGrants.role })
        .from(projectGrants)
        .innerJoin(users, eq(users.id, projectGrants.userId))
        .where(eq(projectGrants.projectId, id))
        .orderBy(asc(users.name))
        .all();
    },
    setGrant: (userId, project, role) => {
      const id = projectId(db, project);
      if (id === null) return false;
      db.insert(projectGrants).values({ userId, projectId: id, role }).onConflictDoUpdate({ target: [projectGrants.userId, projectGrants.projectId], set: { role } }).run();
      return true;
    },
    deleteGrant: (userId, project) => {
      const id = projectId(db, project);
      if (id === null) return false;
      return db.delete(projectGrants).where(and(eq(projectGrants.userId, userId), eq(projectGrants.projectId, id))).returning({ u: projectGrants.userId }).all().length > 0;
    },

    createSession: (hash, userId, ip, now) => void db.insert(sessions).values({ hash, userId, ip, lastSeenAt: now }).run(),
    findSession: (hash) =>
      db.select({ userId: sessions.userId, ip: sessions.ip, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt }).from(sessions).where(eq(sessions.hash, hash)).get() ?? null,
    touchSession: (hash, now) => void db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.hash, hash)).run(),
    deleteSession: (hash) => void db.delete(sessions).where(eq(sessions.hash, hash)).run(),
    deleteSessionsOf: (userId) => db.delete(sessions).where(eq(sessions.userId, userId)).returning({ h: sessions.hash }).all().length,
    deleteSessionsIdleSince: (before) => void db.delete(sessions).where(lt(sessions.lastSeenAt, before)).run(),

    createInvitation: (hash, userId, expiresAt) => void db.insert(invitations).values({ hash, userId, expiresAt }).run(),
    findInvitation: (hash) => db.select({ userId: invitations.userId, expiresAt: invitations.expiresAt }).from(invitations).where(eq(invitations.hash, hash)).get() ?? null,
    deleteInvitationsOf: (userId) => db.delete(invitations).where(eq(invitations.userId, userId)).returning({ h: invitations.hash }).all().length,
  };
}
