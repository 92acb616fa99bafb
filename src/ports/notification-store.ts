import type { NotifyFormat, NotifyKind } from "../core/notify/event.ts";

/** How the last delivery to a receiver went: `retrying` while attempts are left. */
export type DeliveryStatus = "delivered" | "retrying" | "failed";

export interface LastDelivery {
  status: DeliveryStatus;
  at: string;
  /** One line, never the URL; null once delivered. */
  error: string | null;
  /** What was being sent, e.g. "deploy prod #4". */
  event: string;
  attempts: number;
}

/** A receiver of a project's notifications; `sealedUrl` is the URL as the secret box sealed it. */
export interface NotificationRecord {
  id: number;
  project: string;
  sealedUrl: string;
  format: NotifyFormat;
  events: NotifyKind[];
  createdAt: string;
  last: LastDelivery | null;
}

export interface NotificationStore {
  /** Null when the project does not exist. */
  add(project: string, entry: { sealedUrl: string; format: NotifyFormat; events: NotifyKind[] }): NotificationRecord | null;
  list(project: string): NotificationRecord[];
  remove(project: string, id: number): boolean;
  /** Records an attempt's outcome; a receiver removed meanwhile is no error. */
  recordDelivery(id: number, last: LastDelivery): void;
  /** Every delivery left `retrying` becomes `failed` with this error appended; returns how many. */
  failRetrying(error: string): number;
}
