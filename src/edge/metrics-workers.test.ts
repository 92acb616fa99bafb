import { expect, test } from "bun:test";
import { createEdgeMetrics } from "./metrics.ts";
import type { Route } from "./route-table.ts";

const route = (block: string) => ({ project: "shop", environment: "prod", block, realm: `shop/prod/${block}` }) as Route;
const line = (text: string, name: string) => text.split("\n").find((l) => l.startsWith(name)) ?? "";

test("/metrics adds the workers' counts to the first process's, and keeps a retired worker's", async () => {
  const first = createEdgeMetrics();
  const worker = createEdgeMetrics();
  first.record(route("web"), 200, performance.now());
  for (let i = 0; i < 3; i++) worker.record(route("web"), 200, performance.now(), 10);
  worker.record(route("api"), 502, performance.now());
  worker.unrouted();
  first.absorb(1, worker.snapshot());
  const merged = await first.registry.metrics();
  expect(line(merged, 'berth_edge_requests_total{project="shop",env="prod",block="web",status="2xx"}')).toEndWith(" 4");
  expect(line(merged, 'berth_edge_requests_total{project="shop",env="prod",block="api",status="5xx"}')).toEndWith(" 1");
  expect(line(merged, 'berth_edge_response_bytes_total{project="shop",env="prod",block="web"}')).toEndWith(" 30");
  expect(line(merged, "berth_edge_unrouted_requests_total")).toBe("berth_edge_unrouted_requests_total 1");

  // The worker died and its replacement starts from zero: the totals must not go back.
  first.retire(1);
  first.absorb(1, createEdgeMetrics().snapshot());
  const after = await first.registry.metrics();
  expect(line(after, 'berth_edge_requests_total{project="shop",env="prod",block="web",status="2xx"}')).toEndWith(" 4");
  expect(line(after, 'berth_edge_request_duration_seconds_count{project="shop",env="prod",block="web"}')).toEndWith(" 4");
});
