import { describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { createSecretBox } from "../../adapters/crypto/secret-box.ts";
import { createNotificationStore } from "../../adapters/store/notification-store.ts";
import { createProjectStore } from "../../adapters/store/project-store.ts";
import { migrate, openDb } from "../../adapters/store/db.ts";
import type { WebhookRequest, WebhookResult } from "../../ports/webhook-sender.ts";
import { apiHarness } from "../../../test/support/state.ts";
import { unwrap } from "../../client/index.ts";
import { BerthError } from "../errors.ts";
import type { NotifyEvent } from "./event.ts";
import { createNotifications } from "./notifications.ts";

const SECRET_URL = "https://hooks.example.com/services/T000/B000/s3cr3t-t0ken-value";

const event = (over: Partial<NotifyEvent> = {}): NotifyEvent => ({
  kind: "deploy", project: "shop", environment: "prod", number: 3, source: "deploy", status: "deployed", ok: true, reason: null,
  startedAt: "2026-12-02T10:00:00.000Z", finishedAt: "2026-12-02T10:00:30.000Z", ...over,
});

/** The service over real SQLite and the real secret box; the sender answers from a script and records what it got. */
function setup(
  answers: (request: WebhookRequest, n: number) => WebhookResult | Promise<WebhookResult> = () => ({ kind: "answered", status: 200, body: "", retryAfterMs: null }),
  sleep?: (ms: number) => Promise<void>,
) {
  const db = openDb(":memory:");
  migrate(db);
  const projects = createProjectStore(db);
  projects.saveProject({ project: "shop", blocks: {}, environments: { prod: {} } } as never);
  const sent: WebhookRequest[] = [];
  const waits: number[] = [];
  const notifications = createNotifications({
    store: createNotificationStore(db),
    projects,
    box: createSecretBox(randomBytes(32)),
    sender: { post: async (request) => answers(request, sent.push(request)) },
    policy: { attempts: 3, firstDelayMs: 1000, timeoutMs: 5000 },
    publicUrl: "https://berth.example.com/",
    userAgent: "Berth/test",
    sleep: sleep ?? (async (ms) => void waits.push(ms)),
  });
  return { db, projects, notifications, sent, waits };
}

describe("notification receivers", () => {
  test("the URL is stored sealed, and shown masked to scheme and host", () => {
    const { db, notifications } = setup();
    const added = notifications.add("shop", { url: SECRET_URL });
    expect(added).toMatchObject({ project: "shop", target: "https://hooks.example.com/…", format: "json", events: ["deploy", "promote", "rollback", "push", "job", "certificate"], last: null });
    const dump = JSON.stringify(db.$client.query("SELECT * FROM notifications").all());
    expect(dump).not.toContain("s3cr3t");
    expect(dump).not.toContain("hooks.example.com");
    expect(JSON.stringify(notifications.list("shop"))).not.toContain("s3cr3t");
  });

  test("Slack and Discord webhook URLs pick their format; --format wins", () => {
    const { notifications } = setup();
    expect(notifications.add("shop", { url: "https://hooks.slack.com/services/T/B/x" }).format).toBe("slack");
    expect(notifications.add("shop", { url: "https://discord.com/api/webhooks/1/abc" }).format).toBe("discord");
    expect(notifications.add("shop", { url: "https://hooks.slack.com/services/T/B/x", format: "json" }).format).toBe("json");
  });

  test("bad input is refused in one line that does not quote the URL", () => {
    const { notifications } = setup();
    const refused = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error as BerthError;
      }
      throw new Error("expected a refusal");
    };
    expect(refused(() => notifications.add("shop", { url: "ftp://host/s3cr3t" })).message).toBe("the notification URL must be http or https, not ftp");
    expect(refused(() => notifications.add("shop", { url: "not a url s3cr3t" })).message).not.toContain("s3cr3t");
    expect(refused(() => notifications.add("ghost", { url: SECRET_URL })).code).toBe("not_found");
    expect(refused(() => notifications.remove("shop", 42)).code).toBe("not_found");
  });

  test("a removed receiver, and a deleted project's receivers, are gone", () => {
    const { notifications, projects } = setup();
    const { id } = notifications.add("shop", { url: SECRET_URL });
    notifications.add("shop", { url: SECRET_URL });
    notifications.remove("shop", id);
    expect(notifications.list("shop")).toHaveLength(1);
    projects.deleteProject("shop");
    projects.saveProject({ project: "shop", blocks: {}, environments: { prod: {} } } as never);
    expect(notifications.list("shop")).toEqual([]);
  });
});

describe("delivery", () => {
  test("one POST per receiver listening for the event's kind, with the JSON body and headers", async () => {
    const { notifications, sent } = setup();
    notifications.add("shop", { url: SECRET_URL, events: ["deploy"] });
    notifications.add("shop", { url: "https://other.example.com/hook", events: ["rollback"] });
    await notifications.notify(event());
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe(SECRET_URL);
    expect(sent[0]!.timeoutMs).toBe(5000);
    expect(sent[0]!.headers).toMatchObject({ "Content-Type": "application/json", "User-Agent": "Berth/test", "X-Berth-Event": "deploy" });
    expect(JSON.parse(sent[0]!.body)).toMatchObject({ event: "deploy", project: "shop", environment: "prod", release: 3, url: "https://berth.example.com/p/shop/env/prod" });
    expect(notifications.list("shop")[0]!.last).toMatchObject({ status: "delivered", error: null, event: "deploy prod #3", attempts: 1 });
  });

  test("retries keep one delivery id, and the status says how it went", async () => {
    const { notifications, sent, waits } = setup((_, n) => (n < 3 ? { kind: "answered", status: 503, body: "down", retryAfterMs: null } : { kind: "answered", status: 200, body: "", retryAfterMs: null }));
    notifications.add("shop", { url: SECRET_URL });
    await notifications.notify(event());
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((r) => r.headers["X-Berth-Delivery"])).size).toBe(1);
    expect(waits).toEqual([1000, 2000]);
    expect(notifications.list("shop")[0]!.last).toMatchObject({ status: "delivered", attempts: 3 });
  });

  test("a receiver that keeps failing ends failed with its error, which never quotes the URL", async () => {
    const states: string[] = [];
    let notificationsRef: ReturnType<typeof setup>["notifications"];
    const { notifications } = setup(() => {
      const last = notificationsRef?.list("shop")[0]?.last;
      if (last) states.push(`${last.status}: ${last.error}`);
      return { kind: "unreachable", detail: `could not reach ${SECRET_URL}` };
    });
    notificationsRef = notifications;
    notifications.add("shop", { url: SECRET_URL });
    await notifications.notify(event());
    const last = notifications.list("shop")[0]!.last!;
    expect(last).toMatchObject({ status: "failed", attempts: 3 });
    expect(last.error).toBe("could not reach [redacted]");
    expect(states).toEqual(["retrying: attempt 1 of 3: could not reach [redacted]", "retrying: attempt 2 of 3: could not reach [redacted]"]);
  });

  test("notify returns before any receiver answers, and never rejects", async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const gated = setup(async () => {
      await gate;
      return { kind: "answered", status: 200, body: "", retryAfterMs: null };
    });
    gated.notifications.add("shop", { url: SECRET_URL });
    let settled = false;
    const pending = gated.notifications.notify(event()).then(() => (settled = true));
    await Bun.sleep(20);
    expect([settled, gated.sent.length]).toEqual([false, 1]);
    open();
    await pending;
    expect(gated.notifications.list("shop")[0]!.last?.status).toBe("delivered");

    const throwing = setup(() => {
      throw new Error("never");
    });
    throwing.notifications.add("shop", { url: SECRET_URL });
    await expect(throwing.notifications.notify(event())).resolves.toBeUndefined();
    expect(throwing.notifications.list("shop")[0]!.last).toMatchObject({ status: "failed", error: "could not send: never" });
  });
});

test("a delivery still retrying when the server stopped is marked failed at the next start", async () => {
  // The wait before the second try never ends, as if the process stopped during it.
  const { notifications, sent } = setup(
    (request) => (request.url.includes("ok.") ? { kind: "answered", status: 200, body: "", retryAfterMs: null } : { kind: "answered", status: 503, body: "down", retryAfterMs: null }),
    () => new Promise<void>(() => {}),
  );
  const stuck = notifications.add("shop", { url: SECRET_URL });
  const fine = notifications.add("shop", { url: "https://ok.example.com/hook" });
  void notifications.notify(event());
  await Bun.sleep(20);
  expect(sent).toHaveLength(2);
  notifications.failInterrupted();
  const last = new Map(notifications.list("shop").map((n) => [n.id, n.last]));
  expect(last.get(stuck.id)).toMatchObject({ status: "failed", error: "attempt 1 of 3: HTTP 503: down; given up: the server stopped before the retries ended" });
  expect(last.get(fine.id)).toMatchObject({ status: "delivered", error: null });
});

describe("a test message", () => {
  test("goes to one receiver once, as event test, and its outcome is the last delivery", async () => {
    const { notifications, sent } = setup((request) =>
      request.url.includes("down") ? { kind: "answered", status: 500, body: "oops", retryAfterMs: null } : { kind: "answered", status: 200, body: "", retryAfterMs: null });
    const up = notifications.add("shop", { url: SECRET_URL });
    const down = notifications.add("shop", { url: "https://down.example.com/hook" });
    const tested = await notifications.test("shop", up.id);
    expect(tested.last).toMatchObject({ status: "delivered", event: "test", attempts: 1 });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers["X-Berth-Event"]).toBe("test");
    expect(JSON.parse(sent[0]!.body)).toEqual({ version: 1, event: "test", project: "shop", url: "https://berth.example.com/p/shop" });
    expect((await notifications.test("shop", down.id)).last).toMatchObject({ status: "failed", error: "HTTP 500: oops", attempts: 1 });
    expect(sent).toHaveLength(2);
  });
});

describe("the API", () => {
  test("add, list and remove; the list never carries the URL", async () => {
    const { client } = apiHarness();
    await unwrap(client.projects.apply.$post({ json: { file: "project: shop\nblocks:\n  web:\n    kind: worker\n    image: busybox\nenvironments:\n  prod: {}\n" } }));
    const route = client.projects[":project"].notifications;
    const added = await unwrap(route.$post({ param: { project: "shop" }, json: { url: SECRET_URL, events: ["deploy", "rollback"] } }));
    expect(added).toMatchObject({ target: "https://hooks.example.com/…", events: ["deploy", "rollback"] });
    const listed = await unwrap(route.$get({ param: { project: "shop" } }));
    expect(listed.notifications.map((n) => n.id)).toEqual([added.id]);
    expect(JSON.stringify(listed)).not.toContain("s3cr3t");
    await unwrap(client.projects[":project"].notifications[":id"].$delete({ param: { project: "shop", id: String(added.id) } }));
    expect((await unwrap(route.$get({ param: { project: "shop" } }))).notifications).toEqual([]);
  });

  test("an unknown event or format is a 400 naming the field", async () => {
    const { app, ownerToken } = apiHarness();
    const res = await app.request("/api/projects/shop/notifications", {
      method: "POST",
      headers: { Authorization: `Bearer ${ownerToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ url: SECRET_URL, events: ["deploy", "explode"] }),
    });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { issues: { path: string }[] };
    expect(problem.issues.map((i) => i.path)).toEqual(["events.1"]);
  });
});
