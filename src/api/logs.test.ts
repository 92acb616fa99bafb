import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { apiHarness } from "../../test/support/state.ts";

const example = readFileSync(join(import.meta.dir, "../../test/fixtures/example.berth.yaml"), "utf8");

describe("log routes", () => {
  const harness = apiHarness();
  const applied = harness.client.projects.apply.$post({ json: { file: example } });
  const get = async (path: string, token = harness.tokenWithRole("viewer")) => {
    await applied;
    const res = await harness.app.request(`/api/projects/${path}`, { headers: { Authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as { lines?: unknown[]; entries?: unknown[]; code?: string; detail?: string } };
  };

  test("a viewer reads an environment's logs and its access log", async () => {
    expect(await get("todo/environments/dev/logs?since=10m&blocks=web")).toEqual({ status: 200, body: { lines: [] } });
    expect(await get("todo/environments/dev/access-log?tail=5")).toEqual({ status: 200, body: { entries: [] } });
  });

  test("bad input is one clear error naming the field, before any stream opens", async () => {
    expect(await get("todo/environments/dev/logs?since=yesterday")).toMatchObject({ status: 400, body: { code: "invalid", detail: expect.stringContaining("since: expected a duration") } });
    expect(await get("todo/environments/dev/logs?grep=(")).toMatchObject({ status: 400, body: { detail: expect.stringContaining("grep: not a regular expression") } });
    expect(await get("todo/environments/dev/logs?tail=-1")).toMatchObject({ status: 400, body: { code: "invalid" } });
    expect(await get("todo/environments/dev/logs/stream?until=1m")).toMatchObject({ status: 400, body: { detail: expect.stringContaining("until: a followed log has no end") } });
    expect(await get("todo/environments/dev/logs?since=1m&until=2m")).toMatchObject({ status: 400, body: { detail: "since: it is after until" } });
  });

  test("unknown project, environment or block: 404 naming it", async () => {
    expect(await get("ghost/environments/dev/logs")).toMatchObject({ status: 404, body: { detail: 'project "ghost" not found' } });
    expect(await get("todo/environments/qa/logs/stream")).toMatchObject({ status: 404, body: { detail: 'environment "qa" in project "todo" not found' } });
    expect(await get("todo/environments/dev/logs?blocks=nope")).toMatchObject({ status: 404, body: { detail: 'block "nope" in project "todo" not found' } });
  });
});
