import { expect, test } from "bun:test";
import { createEdgeMetrics } from "../../edge/metrics.ts";
import type { Route } from "../../edge/route-table.ts";
import { parseEdgeCounters, parseSampleLine } from "./edge-scrape.ts";

const route = (block: string): Route => ({
  id: 1, host: `${block}.prod.shop.localhost`, prefix: "", project: "shop", environment: "prod", block, auth: "none", upstreams: [], realm: `shop/prod/${block}`, audience: "shop/prod", next: 0,
});

test("the edge's own exposition reads back into per-block counters", async () => {
  const metrics = createEdgeMetrics();
  const web = route("web");
  const start = performance.now();
  metrics.record(web, 200, start, 100);
  metrics.record(web, 200, start, 50);
  metrics.record(web, 503, start);
  metrics.record(route("api"), 404, start, 7);
  const counters = parseEdgeCounters(await metrics.registry.metrics());
  const webCounters = counters.find((c) => c.block === "web")!;
  expect(webCounters).toMatchObject({ project: "shop", environment: "prod", byClass: [0, 2, 0, 0, 1], bytes: 150 });
  expect(webCounters.buckets.reduce((a, b) => a + b)).toBe(3);
  expect(webCounters.buckets).toHaveLength(14);
  expect(counters.find((c) => c.block === "api")!.byClass).toEqual([0, 0, 0, 1, 0]);
});

test("sample lines: labels with escapes, comments skipped", () => {
  expect(parseSampleLine("# HELP x y")).toBeNull();
  expect(parseSampleLine('m{a="x\\"y",b="z"} 3.5')).toEqual({ name: "m", labels: { a: 'x"y', b: "z" }, value: 3.5 });
  expect(parseSampleLine("plain 7")).toEqual({ name: "plain", labels: {}, value: 7 });
});
