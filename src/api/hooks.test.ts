import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { apiHarness } from "../../test/support/state.ts";
import { unwrap } from "../client/index.ts";

const FILE = `project: shop
blocks:
  web:
    kind: website
    image: nginx:1
    port: 80
environments:
  dev: { ref: main, autoDeploy: true }
`;

async function setup() {
  const harness = apiHarness();
  await unwrap(harness.client.projects.apply.$post({ json: { file: FILE } }));
  const hook = await unwrap(harness.client.projects[":project"].webhook.$post({ param: { project: "shop" } }));
  return { ...harness, hook };
}

const sign = (secret: string, body: string) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

describe("POST /hooks/git/{project}", () => {
  test("webhook show gives the URL on the server the request reached, and the same secret each time", async () => {
    const { client, hook } = await setup();
    expect(hook.url).toBe("http://berth.test/hooks/git/shop");
    expect((await unwrap(client.projects[":project"].webhook.$get({ param: { project: "shop" } }))).secret).toBe(hook.secret);
  });

  test("a signed push to a branch no environment follows: 202 ignored; unsigned or wrongly signed: 401 problem", async () => {
    const { app, client, hook } = await setup();
    const body = JSON.stringify({ ref: "refs/heads/feature", after: "a".repeat(40) });
    const ok = await app.request("/hooks/git/shop", { method: "POST", body, headers: { "X-GitHub-Event": "push", "X-GitHub-Delivery": "1", "X-Hub-Signature-256": sign(hook.secret, body) } });
    expect(ok.status).toBe(202);
    expect(await ok.json()).toEqual({ provider: "github", delivery: "1", deploys: [], ignored: "ignored: branch feature is the ref of no environment with autoDeploy: true" });
    const wrong = await app.request("/hooks/git/shop", { method: "POST", body, headers: { "X-GitHub-Event": "push", "X-Hub-Signature-256": sign("other", body) } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: "unauthorized", detail: "webhook signature missing or wrong (X-Hub-Signature-256)" });
    const none = await app.request("/hooks/git/shop", { method: "POST", body });
    expect(none.status).toBe(401);
    // Both ends are in the audit log, with no user: the signature is the only proof.
    const audit = await unwrap(client.audit.$get({ query: { project: "shop" } }));
    expect(audit.filter((e) => e.via === "webhook").map((e) => [e.user, e.action, e.outcome])).toEqual([
      [null, "push", "unauthorized"],
      [null, "push", "unauthorized"],
      [null, "push", "ok"],
    ]);
  });

  test("after rotate the old secret is refused", async () => {
    const { app, client, hook } = await setup();
    await unwrap(client.projects[":project"].webhook.rotate.$post({ param: { project: "shop" } }));
    const body = JSON.stringify({ ref: "refs/heads/feature", after: "a".repeat(40) });
    const old = await app.request("/hooks/git/shop", { method: "POST", body, headers: { "X-GitHub-Event": "push", "X-Hub-Signature-256": sign(hook.secret, body) } });
    expect(old.status).toBe(401);
  });

  test("a body over the limit is refused with 413 before it is read whole", async () => {
    const { app, hook } = await setup();
    const body = "x".repeat(3 * 1024 * 1024);
    const res = await app.request("/hooks/git/shop", { method: "POST", body, headers: { "X-GitHub-Event": "push", "X-Hub-Signature-256": sign(hook.secret, body), "Content-Length": String(body.length) } });
    expect(res.status).toBe(413);
  });

  test("any other path or method under /hooks is not a route", async () => {
    const { app } = await setup();
    expect((await app.request("/hooks/git/shop", { method: "GET" })).status).toBe(404);
    expect((await app.request("/hooks/other/shop", { method: "POST", body: "{}" })).status).toBe(404);
  });
});
