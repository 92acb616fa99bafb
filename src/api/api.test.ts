import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { apiHarness } from "../../test/support/state.ts";
import { ApiError, unwrap } from "../client/index.ts";

const example = readFileSync(join(import.meta.dir, "../../test/fixtures/example.berth.yaml"), "utf8");

async function failure(call: Promise<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("API", () => {
  test("/healthz answers without a token", async () => {
    const { app } = apiHarness();
    const res = await app.request("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok" });
  });

  test("without a token: 401 problem+json; with one: 200", async () => {
    const { app, ownerToken } = apiHarness();
    const res = await app.request("/api/projects");
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 401, code: "unauthorized" });
    const bad = await app.request("/api/projects", { headers: { Authorization: "Bearer berth_nope_nope" } });
    expect(bad.status).toBe(401);
    const ok = await app.request("/api/projects", { headers: { Authorization: `Bearer ${ownerToken}` } });
    expect(ok.status).toBe(200);
  });

  test("unknown routes and the OpenAPI document need a token too", async () => {
    const { app, ownerToken } = apiHarness();
    expect((await app.request("/api/nothing-here")).status).toBe(401);
    expect((await app.request("/api/openapi.json")).status).toBe(401);
    const doc = await app.request("/api/openapi.json", { headers: { Authorization: `Bearer ${ownerToken}` } });
    const spec = (await doc.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toStartWith("3.");
    expect(Object.keys(spec.paths)).toContain("/api/projects/apply");
    expect(Object.keys(spec.paths)).toContain("/api/projects/{project}/environments/{env}/blocks/{block}/vars");
  });

  test("apply, then the same file again reports no changes", async () => {
    const { client } = apiHarness();
    const first = await unwrap(client.projects.apply.$post({ json: { file: example } }));
    expect(first.applied).toBe(true);
    const again = await unwrap(client.projects.apply.$post({ json: { file: example } }));
    expect(again).toEqual({ project: "todo", changes: [], applied: false });
    const { yaml } = await unwrap(client.projects[":project"].export.$get({ param: { project: "todo" } }));
    expect((await unwrap(client.projects.apply.$post({ json: { file: yaml, dryRun: true } }))).changes).toEqual([]);
  });

  test("a dry run changes nothing", async () => {
    const { client } = apiHarness();
    const plan = await unwrap(client.projects.apply.$post({ json: { file: example, dryRun: true } }));
    expect(plan.changes.length).toBeGreaterThan(0);
    expect((await unwrap(client.projects.$get())).projects).toEqual([]);
  });

  test("a bad file is 400 with every problem, and nothing is written", async () => {
    const { client } = apiHarness();
    const error = await failure(unwrap(client.projects.apply.$post({ json: { file: "project: X\nblocks:\n  a: { kind: nope }\n" } })));
    expect(error.status).toBe(400);
    expect(error.code).toBe("invalid");
    expect(error.issues.map((i) => i.path)).toEqual(["project", "blocks.a.kind"]);
    expect((await unwrap(client.projects.$get())).projects).toEqual([]);
  });

  test("bad request bodies and parameters are 400 naming the field", async () => {
    const { app, ownerToken } = apiHarness();
    const headers = { Authorization: `Bearer ${ownerToken}`, "Content-Type": "application/json" };
    const body = await app.request("/api/projects/apply", { method: "POST", headers, body: JSON.stringify({ file: 3 }) });
    expect(body.status).toBe(400);
    expect(((await body.json()) as { issues: { path: string }[] }).issues[0]!.path).toBe("file");
    const param = await app.request("/api/projects/Not_A_Name", { headers });
    expect(param.status).toBe(400);
    const broken = await app.request("/api/projects/apply", { method: "POST", headers, body: "{not json" });
    expect(broken.status).toBe(400);
  });

  test("a body over 2 MB is refused with 413", async () => {
    const { app, ownerToken } = apiHarness();
    const res = await app.request("/api/projects/apply", {
      method: "POST",
      headers: { Authorization: `Bearer ${ownerToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ file: "x".repeat(3 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe("too_large");
  });

  test("a viewer can read but not change; a member cannot make a token above its role", async () => {
    const { client, clientFor, tokenWithRole } = apiHarness();
    await unwrap(client.projects.apply.$post({ json: { file: example } }));
    const viewer = clientFor(tokenWithRole("viewer"));
    expect((await unwrap(viewer.projects.$get())).projects).toHaveLength(1);
    const denied = await failure(unwrap(viewer.projects.apply.$post({ json: { file: example } })));
    expect([denied.status, denied.code]).toEqual([403, "forbidden"]);
    const member = clientFor(tokenWithRole("member"));
    expect((await failure(unwrap(member.tokens.$post({ json: { name: "x", role: "admin" } })))).status).toBe(403);
    expect((await failure(unwrap(member.projects[":project"].$delete({ param: { project: "todo" }, query: {} })))).status).toBe(403);
    await unwrap(member.projects[":project"].environments.$post({ param: { project: "todo" }, json: { name: "qa" } }));
  });

  test("a token cannot create a token with more rights", async () => {
    const { clientFor, tokenWithRole } = apiHarness();
    const admin = clientFor(tokenWithRole("admin"));
    const error = await failure(unwrap(admin.tokens.$post({ json: { name: "x", role: "owner" } })));
    expect(error.status).toBe(403);
  });

  test("tokens are shown once, listed without values, and revoked", async () => {
    const { client, clientFor, db } = apiHarness();
    const created = await unwrap(client.tokens.$post({ json: { name: "ci", role: "viewer" } }));
    expect(created.token).toStartWith("berth_");
    const listed = JSON.stringify(await unwrap(client.tokens.$get()));
    expect(listed).not.toContain(created.token);
    expect(JSON.stringify(db.$client.query("SELECT * FROM api_tokens").all())).not.toContain(created.token);
    await unwrap(client.tokens[":id"].$delete({ param: { id: created.id } }));
    expect((await failure(unwrap(clientFor(created.token).projects.$get()))).status).toBe(401);
  });

  test("secrets are stored sealed and come back masked", async () => {
    const { client, db } = apiHarness();
    await unwrap(client.projects.apply.$post({ json: { file: example } }));
    const route = client.projects[":project"].environments[":env"].blocks[":block"].vars;
    const param = { project: "todo", env: "prod", block: "api" };
    await unwrap(route.$put({ param, json: { vars: { DB_PASSWORD: "correct-horse" }, secret: true } }));
    const { vars } = await unwrap(route.$get({ param }));
    expect(vars.find((v) => v.name === "DB_PASSWORD")).toMatchObject({ secret: true, source: "set" });
    expect(JSON.stringify(vars)).not.toContain("correct-horse");
    expect(JSON.stringify(db.$client.query("SELECT * FROM variables").all())).not.toContain("correct-horse");
    const bad = await failure(unwrap(route.$put({ param, json: { vars: { "1BAD": "x" } } })));
    expect(bad.issues[0]!.path).toBe("vars.1BAD");
  });

  test("log streams pass the same authorisation as every other route", async () => {
    const { app, tokenWithRole } = apiHarness();
    for (const path of ["/api/builds/1/log/stream", "/api/releases/1/log/stream"]) {
      expect((await app.request(path)).status).toBe(401);
      const asViewer = await app.request(path, { headers: { Authorization: `Bearer ${tokenWithRole("viewer")}` } });
      expect([asViewer.status, ((await asViewer.json()) as { code: string }).code]).toEqual([404, "not_found"]);
    }
  });

  test("missing things are 404 naming what was missing", async () => {
    const { client } = apiHarness();
    const error = await failure(unwrap(client.projects[":project"].$get({ param: { project: "ghost" } })));
    expect([error.status, error.message]).toEqual([404, 'project "ghost" not found']);
  });
});
