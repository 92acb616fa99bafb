import type { NotificationRecord, NotificationStore } from "../../ports/notification-store.ts";
import type { ProjectStore } from "../../ports/project-store.ts";
import type { SecretBox } from "../../ports/secret-box.ts";
import type { WebhookSender } from "../../ports/webhook-sender.ts";
import { invalid, notFound } from "../errors.ts";
import { deliver, type RetryPolicy } from "./delivery.ts";
import { eventLabel, NOTIFY_KINDS, type NotifyEvent, type NotifyFormat, type NotifyKind } from "./event.ts";
import { messageBody } from "./formats.ts";
import { checkReceiverUrl, guessFormat, maskUrl, urlRedactor } from "./target.ts";

export interface NotificationDeps {
  store: NotificationStore;
  projects: Pick<ProjectStore, "loadProject">;
  box: SecretBox;
  sender: WebhookSender;
  policy: RetryPolicy;
  /** The web console's base URL, for the link in each message. */
  publicUrl: string;
  /** The product's name and version for User-Agent. */
  userAgent: string;
  sleep?: (ms: number) => Promise<void>;
  newDeliveryId?: () => string;
}

/** A receiver as the API shows it: the URL masked to scheme and host. */
export type NotificationView = Omit<NotificationRecord, "sealedUrl"> & { target: string };

/**
 * Receivers of a project's events and the delivery to them. `notify` never throws and never
 * makes its caller wait: each receiver is tried in the background, and its outcome is recorded
 * for `notify list`.
 */
export function createNotifications(deps: NotificationDeps) {
  const sleep = deps.sleep ?? ((ms: number) => Bun.sleep(ms));
  const newDeliveryId = deps.newDeliveryId ?? (() => crypto.randomUUID());
  const base = deps.publicUrl.replace(/\/+$/, "");

  const checkProject = (project: string) => {
    if (!deps.projects.loadProject(project)) throw notFound(`project "${project}"`);
  };
  const openUrl = (record: NotificationRecord): string | null => {
    try {
      return deps.box.open(record.sealedUrl);
    } catch {
      return null;
    }
  };
  const view = (record: NotificationRecord): NotificationView => {
    const { sealedUrl: _sealed, ...shown } = record;
    const url = openUrl(record);
    return { ...shown, target: url === null ? "(cannot be read with this secret key)" : maskUrl(url) };
  };

  /** The console page of the event's environment. */
  const consoleLink = (event: NotifyEvent) => `${base}/#/p/${encodeURIComponent(event.project)}/${encodeURIComponent(event.environment)}`;

  async function sendTo(record: NotificationRecord, event: NotifyEvent) {
    const label = eventLabel(event);
    const note = (status: "delivered" | "retrying" | "failed", attempts: number, error: string | null) =>
      deps.store.recordDelivery(record.id, { status, at: new Date().toISOString(), error, event: label, attempts });
    const url = openUrl(record);
    if (url === null) return note("failed", 0, "the stored URL cannot be read with this secret key: add the receiver again");
    const redact = urlRedactor(url);
    const body = messageBody(record.format, event, consoleLink(event));
    // One id for every attempt of one message, so a receiver can drop a repeat.
    const headers = { "Content-Type": "application/json", "User-Agent": deps.userAgent, "X-Berth-Event": event.kind, "X-Berth-Delivery": newDeliveryId() };
    await deliver({
      send: () => deps.sender.post({ url, body, headers, timeoutMs: deps.policy.timeoutMs }),
      policy: deps.policy,
      sleep,
      onAttempt(attempt, outcome, willRetry) {
        if (outcome.ok) return note("delivered", attempt, null);
        const error = redact(outcome.error);
        note(willRetry ? "retrying" : "failed", attempt, willRetry ? `attempt ${attempt} of ${deps.policy.attempts}: ${error}` : error);
      },
    });
  }

  return {
    add(project: string, input: { url: string; format?: NotifyFormat; events?: NotifyKind[] }): NotificationView {
      checkProject(project);
      const url = checkReceiverUrl(input.url);
      const events = input.events?.length ? [...new Set(input.events)] : [...NOTIFY_KINDS];
      const unknown = events.filter((e) => !NOTIFY_KINDS.includes(e));
      if (unknown.length) throw invalid(`unknown event ${unknown.join(", ")} (known: ${NOTIFY_KINDS.join(", ")})`, [{ path: "events", message: "unknown event" }]);
      const record = deps.store.add(project, { sealedUrl: deps.box.seal(url.href), format: input.format ?? guessFormat(url), events });
      if (!record) throw notFound(`project "${project}"`);
      return view(record);
    },

    list(project: string): NotificationView[] {
      checkProject(project);
      return deps.store.list(project).map(view);
    },

    remove(project: string, id: number) {
      checkProject(project);
      if (!deps.store.remove(project, id)) throw notFound(`notification ${id} of project "${project}"`);
    },

    /**
     * Tells every receiver of the project that listens for the event's kind. Returns at once;
     * the promise (for tests) settles when every delivery has finished, and never rejects.
     */
    notify(event: NotifyEvent): Promise<void> {
      let receivers: NotificationRecord[];
      try {
        receivers = deps.store.list(event.project).filter((r) => r.events.includes(event.kind));
      } catch {
        return Promise.resolve();
      }
      return Promise.all(receivers.map((r) => sendTo(r, event).catch(() => {}))).then(() => {});
    },
  };
}

export type Notifications = ReturnType<typeof createNotifications>;
