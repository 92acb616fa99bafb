import { expect, test } from "bun:test";
import { apiHarness } from "../../test/support/state.ts";

test("/metrics answers Prometheus' text format to a viewer token and nothing to no token", async () => {
  const { app, tokenWithRole } = apiHarness();
  expect((await app.request("/metrics")).status).toBe(401);
  const res = await app.request("/metrics", { headers: { Authorization: `Bearer ${tokenWithRole("viewer")}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain");
  const body = await res.text();
  expect(body).toContain("# TYPE berth_edge_requests_total counter");
  expect(body).toContain("# TYPE berth_build_duration_seconds histogram");
  expect(body).toContain('berth_build_duration_seconds_bucket{le="+Inf"} 0');
  expect(body).toContain("berth_build_queue_length 0");
});

test("top and series of an unknown environment are 404; a bad --since is a one-line 400", async () => {
  const { app, ownerToken } = apiHarness();
  const headers = { Authorization: `Bearer ${ownerToken}` };
  expect((await app.request("/api/projects/ghost/environments/dev/top", { headers })).status).toBe(404);
  const bad = await app.request("/api/projects/ghost/environments/dev/blocks/web/metrics?since=forever", { headers });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { detail: string }).detail).toContain("expected a duration");
  const far = await app.request("/api/projects/ghost/environments/dev/blocks/web/metrics?since=60d", { headers });
  expect(((await far.json()) as { detail: string }).detail).toContain("30 days");
});
