import type { NotificationRecord, NotificationStore } from "../../ports/notification-store.ts";
import type { ProjectStore } from "../../ports/project-store.ts";
import type { SecretBox } from "../../ports/secret-box.ts";
import type { WebhookSender } from "../../ports/webhook-sender.ts";
import { invalid, notFound } from "../errors.ts";
import { deliver, type RetryPolicy } from "./delivery.ts";
import { eventLabel, NOTIFY_KINDS, type NotifyEvent, type NotifyFormat, type NotifyKind } from "./event.ts";
import { messageBody, testBody } from "./formats.ts";
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

  /** The console page of a project, or of one of its environments. */
  const consoleLink = (project: string, environment?: string) =>
    `${base}/p/${encodeURIComponent(project)}${environment === undefined ? "" : `/env/${encodeURIComponent(environment)}`}`;

  /** What one delivery sends: the body, the kind for X-Berth-Event, and the label `notify list` shows. */
  interface Message {
    body: string;
    kind: string;
    label: string;
  }

  async function sendTo(record: NotificationRecord, message: (format: NotifyFormat) => Message, policy = deps.policy) {
    const { body, kind, label } = message(record.format);
    const note = (status: "delivered" | "retrying" | "failed", attempts: number, error: string | null) =>
      deps.store.recordDelivery(record.id, { status, at: new Date().toISOString(), error, event: label, attempts });
    const url = openUrl(record);
    if (url === null) return note("failed", 0, "the stored URL cannot be read with this secret key: add the receiver again");
    const redact = urlRedactor(url);
    // One id for every attempt of one message, so a receiver can drop a repeat.
    const headers = { "Content-Type": "application/json", "User-Agent": deps.userAgent, "X-Berth-Event": kind, "X-Berth-Delivery": newDeliveryId() };
    await deliver({
      send: () => deps.sender.post({ url, body, headers, timeoutMs: policy.timeoutMs }),
      policy,
      sleep,
      onAttempt(attempt, outcome, willRetry) {
        if (outcome.ok) return note("delivered", attempt, null);
        const error = redact(outcome.error);
        note(willRetry ? "retrying" : "failed", attempt, willRetry ? `attempt ${attempt} of ${policy.attempts}: ${error}` : error);
      },
    });
  }

  const eventMessage = (event: NotifyEvent) => (format: NotifyFormat): Message => ({
    body: messageBody(format, event, consoleLink(event.project, event.environment)),
    kind: event.kind,
    label: eventLabel(event),
  });

  const find = (project: string, id: number) => {
    checkProject(project);
    const record = deps.store.list(project).find((r) => r.id === id);
    if (!record) throw notFound(`notification ${id} of project "${project}"`);
    return record;
  };

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

    /**
     * Sends a test message to one receiver, once, and waits for the answer (at most one
     * attempt's timeout); the outcome is its last delivery, as `notify list` shows it.
     */
    async test(project: string, id: number): Promise<NotificationView> {
      const record = find(project, id);
      await sendTo(record, (format) => ({ body: testBody(format, project, consoleLink(project)), kind: "test", label: "test" }), { ...deps.policy, attempts: 1 });
      return view(find(project, id));
    },

    /** At start: deliveries a previous process was still retrying will not be tried again; say so. */
    failInterrupted() {
      deps.store.failRetrying("given up: the server stopped before the retries ended");
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
      return Promise.all(receivers.map((r) => sendTo(r, eventMessage(event)).catch(() => {}))).then(() => {});
    },
  };
}

export type Notifications = ReturnType<typeof createNotifications>;
