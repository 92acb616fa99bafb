import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { apiHarness } from "../../test/support/state.ts";
import { readEvents } from "../client/sse.ts";

const example = readFileSync(join(import.meta.dir, "../../test/fixtures/example.berth.yaml"), "utf8");

test("the status stream sends the status now and again when a release starts and ends, without asking", async () => {
  const harness = apiHarness();
  await harness.client.projects.apply.$post({ json: { file: example } });
  const abort = new AbortController();
  const res = await harness.app.request("/api/projects/todo/environments/dev/status/stream", { headers: { Authorization: `Bearer ${harness.tokenWithRole("viewer")}` }, signal: abort.signal });
  expect(res.status).toBe(200);
  const seen: { release: { number: number; status: string } | null }[] = [];
  let deployed = false;
  let failed = () => {};
  const done = new Promise<void>((resolve) => (failed = resolve));
  void readEvents(res, (event) => {
    if (event.event !== "status") return;
    seen.push(JSON.parse(event.data));
    // The empty test engine has no images: the deploy fails, and the stream must say so on its own.
    if (!deployed) (deployed = true), void harness.client.projects[":project"].environments[":env"].deploys.$post({ param: { project: "todo", env: "dev" }, query: {} });
    if (seen.at(-1)?.release?.status === "failed") failed();
  }).catch(() => {});
  await Promise.race([done, Bun.sleep(4000)]);
  abort.abort();
  await res.body?.cancel().catch(() => {});
  expect(seen[0]!.release).toBeNull();
  expect(seen.at(-1)!.release).toMatchObject({ number: 1, status: "failed" });
});

test("an unknown environment is a 404 before the stream opens", async () => {
  const harness = apiHarness();
  const res = await harness.app.request("/api/projects/nope/environments/dev/status/stream", { headers: { Authorization: `Bearer ${harness.ownerToken}` } });
  expect(res.status).toBe(404);
  expect(((await res.json()) as { detail: string }).detail).toContain("nope");
});
