import { and, asc, eq, sql } from "drizzle-orm";
import type { NotificationRecord, NotificationStore } from "../../ports/notification-store.ts";
import type { Db } from "./db.ts";
import { notifications, projects } from "./schema.ts";

export function createNotificationStore(db: Db): NotificationStore {
  const select = () =>
    db.select({ n: notifications, project: projects.name }).from(notifications).innerJoin(projects, eq(projects.id, notifications.projectId));
  const record = ({ n, project }: { n: typeof notifications.$inferSelect; project: string }): NotificationRecord => ({
    id: n.id,
    project,
    sealedUrl: n.url,
    format: n.format,
    events: n.events,
    createdAt: n.createdAt,
    last: n.lastStatus
      ? { status: n.lastStatus, at: n.lastAt ?? n.createdAt, error: n.lastError, event: n.lastEvent ?? "", attempts: n.lastAttempts ?? 0 }
      : null,
  });

  return {
    add(project, entry) {
      const owner = db.select({ id: projects.id }).from(projects).where(eq(projects.name, project)).get();
      if (!owner) return null;
      const { id } = db.insert(notifications).values({ projectId: owner.id, url: entry.sealedUrl, format: entry.format, events: entry.events }).returning({ id: notifications.id }).get();
      return record(select().where(eq(notifications.id, id)).get()!);
    },
    list: (project) => select().where(eq(projects.name, project)).orderBy(asc(notifications.id)).all().map(record),
    remove(project, id) {
      const row = select().where(and(eq(projects.name, project), eq(notifications.id, id))).get();
      if (!row) return false;
      db.delete(notifications).where(eq(notifications.id, id)).run();
      return true;
    },
    recordDelivery(id, last) {
      db.update(notifications)
        .set({ lastStatus: last.status, lastAt: last.at, lastError: last.error, lastEvent: last.event, lastAttempts: last.attempts })
        .where(eq(notifications.id, id))
        .run();
    },
    failRetrying: (error) =>
      db.update(notifications)
        .set({ lastStatus: "failed", lastError: sql`coalesce(${notifications.lastError} || '; ', '') || ${error}` })
        .where(eq(notifications.lastStatus, "retrying"))
        .returning({ id: notifications.id })
        .all().length,
  };
}
