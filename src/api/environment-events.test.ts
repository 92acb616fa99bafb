import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { apiHarness } from "../../test/support/state.ts";
import { unwrap } from "../client/index.ts";
import { readEvents } from "../client/sse.ts";

const example = readFileSync(join(import.meta.dir, "../../test/fixtures/example.berth.yaml"), "utf8");

test("an environment's event stream tells of a release starting and finishing, and nothing of another environment", async () => {
  const { app, client, ownerToken } = apiHarness();
  await unwrap(client.projects.apply.$post({ json: { file: example } }));
  const stop = new AbortController();
  const stream = await app.request("/api/projects/todo/environments/prod/events", { headers: { Authorization: `Bearer ${ownerToken}` }, signal: stop.signal });
  expect(stream.headers.get("content-type")).toStartWith("text/event-stream");
  const heard: { change: string; release: { id: number; number: number; status: string; source: string } | null }[] = [];
  let finished = () => {};
  const done = new Promise<void>((resolve) => (finished = resolve));
  readEvents(stream, (e) => {
    heard.push(JSON.parse(e.data));
    if (heard.some((h) => h.release && ["deployed", "failed"].includes(h.release.status))) finished();
  }).catch(() => undefined);
  const param = { project: "todo", env: "prod" };
  const release = await unwrap(client.projects[":project"].environments[":env"].deploys.$post({ param, query: {} }));
  await done;
  stop.abort();
  expect(heard[0]).toEqual({ change: "release", release: { id: release.id, number: release.number, status: "building", source: "deploy" } });
  expect(["deployed", "failed"]).toContain(heard.at(-1)!.release!.status);
  expect(heard.every((h) => h.release?.number === release.number)).toBe(true);
});

test("an unknown environment's stream is a 404 before it opens; without a token a 401", async () => {
  const { app, client, tokenWithRole } = apiHarness();
  await unwrap(client.projects.apply.$post({ json: { file: example } }));
  expect((await app.request("/api/projects/todo/environments/prod/events")).status).toBe(401);
  const missing = await app.request("/api/projects/todo/environments/nope/events", { headers: { Authorization: `Bearer ${tokenWithRole("viewer")}` } });
  expect(missing.status).toBe(404);
});
