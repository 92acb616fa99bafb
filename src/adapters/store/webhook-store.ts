import { and, desc, eq, lt, notInArray } from "drizzle-orm";
import type { WebhookStore } from "../../ports/webhook-store.ts";
import type { Db } from "./db.ts";
import { projects, webhookDeliveries, webhookSecrets } from "./schema.ts";

export function createWebhookStore(db: Db): WebhookStore {
  const projectId = (name: string) => db.select({ id: projects.id }).from(projects).where(eq(projects.name, name)).get()?.id;

  return {
    getSecret(project) {
      const id = projectId(project);
      if (id === undefined) return null;
      return db.select({ secret: webhookSecrets.secret }).from(webhookSecrets).where(eq(webhookSecrets.projectId, id)).get()?.secret ?? null;
    },

    setSecret(project, sealed) {
      const id = projectId(project);
      if (id === undefined) return false;
      const updatedAt = new Date().toISOString();
      db.insert(webhookSecrets).values({ projectId: id, secret: sealed, updatedAt })
        .onConflictDoUpdate({ target: webhookSecrets.projectId, set: { secret: sealed, updatedAt } }).run();
      return true;
    },

    rememberDelivery(project, deliveryId, limits) {
      const id = projectId(project);
      if (id === undefined) return false;
      return db.transaction((tx) => {
        tx.delete(webhookDeliveries).where(and(eq(webhookDeliveries.projectId, id), lt(webhookDeliveries.receivedAt, limits.keepSince))).run();
        const added = tx.insert(webhookDeliveries).values({ projectId: id, deliveryId, receivedAt: new Date().toISOString() })
          .onConflictDoNothing().returning({ id: webhookDeliveries.deliveryId }).all().length > 0;
        const kept = tx.select({ id: webhookDeliveries.deliveryId }).from(webhookDeliveries).where(eq(webhookDeliveries.projectId, id))
          .orderBy(desc(webhookDeliveries.receivedAt)).limit(limits.keepCount).all().map((r) => r.id);
        tx.delete(webhookDeliveries).where(and(eq(webhookDeliveries.projectId, id), notInArray(webhookDeliveries.deliveryId, kept))).run();
        return added;
      });
    },
  };
}
