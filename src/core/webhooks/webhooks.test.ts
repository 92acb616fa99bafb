import { describe, expect, test } from "bun:test";
import { createHmac, randomBytes } from "node:crypto";
import { createSecretBox } from "../../adapters/crypto/secret-box.ts";
import { migrate, openDb } from "../../adapters/store/db.ts";
import { createProjectStore } from "../../adapters/store/project-store.ts";
import { createWebhookStore } from "../../adapters/store/webhook-store.ts";
import { expectBerthError } from "../../../test/support/errors.ts";
import { parseProjectFile } from "../project-file/parse.ts";
import type { Triggered } from "./auto-deploy.ts";
import { createWebhooks } from "./webhooks.ts";

const FILE = `project: shop
blocks:
  web:
    kind: website
    git: { url: "https://git.example.com/shop.git" }
    port: 8080
environments:
  dev: { ref: main, autoDeploy: true }
  preview: { ref: main, autoDeploy: true }
  prod: { ref: main, autoDeploy: false }
  polled: { ref: main, autoDeploy: poll }
  staging: { autoDeploy: true }
`;

function setup(now = () => Date.now()) {
  const db = openDb(":memory:");
  migrate(db);
  const projects = createProjectStore(db);
  projects.saveProject(parseProjectFile(FILE));
  const started: { environment: string; source?: string; actor?: string }[] = [];
  const autoDeploy = {
    trigger(_project: string, environment: string, origin: { source?: string; actor?: string }): Triggered {
      started.push({ environment, ...origin });
      return { environment, release: started.length, queued: false };
    },
  };
  const webhooks = createWebhooks({ projects, store: createWebhookStore(db), box: createSecretBox(randomBytes(32)), autoDeploy, now });
  const secret = webhooks.create("shop", "http://berth.test").secret;
  return { webhooks, started, secret, projects };
}

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const reader = (h: Record<string, string>) => (name: string) => Object.entries(h).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
const githubPush = (secret: string, payload: unknown, delivery: string = crypto.randomUUID(), event = "push") => {
  const body = encode(payload);
  const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  return { body, headers: reader({ "X-GitHub-Event": event, "X-GitHub-Delivery": delivery, "X-Hub-Signature-256": signature }) };
};
const push = (branch: string, after = "a".repeat(40)) => ({ ref: `refs/heads/${branch}`, after, repository: { default_branch: "develop" } });

describe("the webhook service", () => {
  test("reading never makes a secret; create makes one once, it stays until rotated, and the URL names the project", () => {
    const { webhooks, secret, projects } = setup();
    projects.saveProject(parseProjectFile("project: other\nblocks: {}\n"));
    expect(expectBerthError(() => webhooks.show("other", "http://berth.test"), "not_found").message).toContain("no webhook secret yet");
    expect(webhooks.create("shop", "http://berth.test").secret).toBe(secret);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(webhooks.show("shop", "http://berth.test")).toEqual({ project: "shop", url: "http://berth.test/hooks/git/shop", secret });
    const rotated = webhooks.rotate("shop", "http://berth.test").secret;
    expect(rotated).not.toBe(secret);
    expect(webhooks.show("shop", "http://x").secret).toBe(rotated);
    expectBerthError(() => webhooks.show("ghost", "http://berth.test"), "not_found");
  });

  test("a push to main deploys each environment with ref main and autoDeploy: true, as a push by the webhook", () => {
    const { webhooks, started, secret } = setup();
    const { body, headers } = githubPush(secret, push("main", "1234567890".repeat(4)));
    const outcome = webhooks.receive("shop", headers, body);
    expect(outcome.deploys.map((d) => d.environment)).toEqual(["dev", "preview"]);
    expect(outcome.ignored).toBeUndefined();
    expect(started).toEqual([
      { environment: "dev", source: "push 1234567", actor: "webhook" },
      { environment: "preview", source: "push 1234567", actor: "webhook" },
    ]);
  });

  test("an environment without a ref follows the repository's default branch", () => {
    const { webhooks, started, secret } = setup();
    const { body, headers } = githubPush(secret, push("develop"));
    expect(webhooks.receive("shop", headers, body).deploys.map((d) => d.environment)).toEqual(["staging"]);
    expect(started.map((s) => s.environment)).toEqual(["staging"]);
  });

  test("a wrong or missing signature, an unknown project or host: 401 and nothing starts", () => {
    const { webhooks, started, secret } = setup();
    const signed = githubPush("not-the-secret", push("main"));
    expectBerthError(() => webhooks.receive("shop", signed.headers, signed.body), "unauthorized");
    const good = githubPush(secret, push("main"));
    expectBerthError(() => webhooks.receive("shop", good.headers, encode(push("main", "b".repeat(40)))), "unauthorized");
    expectBerthError(() => webhooks.receive("shop", reader({ "X-GitHub-Event": "push" }), good.body), "unauthorized");
    expectBerthError(() => webhooks.receive("ghost", good.headers, good.body), "unauthorized");
    expectBerthError(() => webhooks.receive("shop", reader({}), good.body), "unauthorized");
    expect(started).toEqual([]);
  });

  test("other branches, tags, deletions and other events are ignored, saying why", () => {
    const { webhooks, started, secret } = setup();
    const cases: [unknown, string, RegExp][] = [
      [push("feature"), "push", /branch feature is the ref of no environment/],
      [{ ref: "refs/tags/v1", after: "c".repeat(40) }, "push", /tag v1/],
      [{ ref: "refs/heads/main", after: "0".repeat(40), deleted: true }, "push", /branch main was deleted/],
      [{ zen: "Keep it simple" }, "ping", /"ping" is not a push event/],
    ];
    for (const [payload, event, why] of cases) {
      const { body, headers } = githubPush(secret, payload, undefined, event);
      const outcome = webhooks.receive("shop", headers, body);
      expect(outcome.deploys).toEqual([]);
      expect(outcome.ignored).toMatch(/^ignored: /);
      expect(outcome.ignored).toMatch(why);
    }
    expect(started).toEqual([]);
  });

  test("a redelivery of the same delivery id starts nothing; ids are forgotten after a week", () => {
    let clock = Date.parse("2026-01-01T00:00:00Z");
    const { webhooks, started, secret } = setup(() => clock);
    const first = githubPush(secret, push("main"), "delivery-1");
    expect(webhooks.receive("shop", first.headers, first.body).deploys).toHaveLength(2);
    const again = webhooks.receive("shop", first.headers, first.body);
    expect(again.deploys).toEqual([]);
    expect(again.ignored).toBe("ignored: delivery delivery-1 was already handled");
    expect(started).toHaveLength(2);
    clock += 8 * 24 * 3600_000;
    const other = githubPush(secret, push("main"), "delivery-2");
    webhooks.receive("shop", other.headers, other.body);
    expect(started).toHaveLength(4);
  });

  test("a delivery id longer than any host sends is refused as invalid", () => {
    const { webhooks, started, secret } = setup();
    const { body, headers } = githubPush(secret, push("main"), "x".repeat(201));
    expectBerthError(() => webhooks.receive("shop", headers, body), "invalid");
    expect(started).toEqual([]);
  });

  test("a signed body that is not JSON is refused as invalid", () => {
    const { webhooks, secret } = setup();
    const body = new TextEncoder().encode("not json");
    const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    const error = expectBerthError(() => webhooks.receive("shop", reader({ "X-GitHub-Event": "push", "X-Hub-Signature-256": signature }), body), "invalid");
    expect(error.message).toContain("not JSON");
  });
});
