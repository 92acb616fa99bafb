import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AccessEntry } from "../lib/access-log.ts";
import { createAccessLog } from "./access-log.ts";
import { startEdge, type Edge } from "./server.ts";
import { eventually, stateDir, upstream } from "./test-fixtures.ts";

let state: ReturnType<typeof stateDir>;
let edge: Edge;
const web = upstream("web");
const dir = () => join(state.dataDir, "logs", "access");

beforeAll(() => {
  state = stateDir();
  state.route({ host: "web.prod.shop.localhost", block: "web", ports: [web.port] });
  edge = startEdge({ dataDir: state.dataDir, listen: "127.0.0.1:0", metricsListen: "127.0.0.1:0", domain: "localhost", accessLog: { dir: join(state.dataDir, "logs", "access"), maxBytes: 1024 ** 2 } });
});
afterAll(async () => {
  await edge.stop();
  web.stop();
  state.close();
});

const entries = (): AccessEntry[] =>
  existsSync(join(dir(), "access.log")) ? readFileSync(join(dir(), "access.log"), "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];

test("one JSON line per routed request: block, status, path without its query, upstream, request id, client", async () => {
  const res = await fetch(`${edge.url}/items/7?token=secret`, { method: "POST", headers: { host: "web.prod.shop.localhost" }, body: "x" });
  expect(res.status).toBe(200);
  await res.text();
  await fetch(`${edge.url}/`, { headers: { host: "nowhere.localhost" } }).then((r) => r.text());
  await eventually(() => entries().length > 0);
  const [entry, ...rest] = entries();
  expect(rest).toEqual([]);
  expect(entry).toMatchObject({ project: "shop", environment: "prod", block: "web", host: "web.prod.shop.localhost", method: "POST", path: "/items/7", status: 200, upstream: `127.0.0.1:${web.port}`, clientIp: "127.0.0.1" });
  expect(entry!.requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(entry!.durationMs).toBeGreaterThanOrEqual(0);
  expect(JSON.stringify(entry)).not.toContain("secret");
});

test("past its size the file is rotated and only four are kept", () => {
  const logDir = join(state.dataDir, "rotate");
  const log = createAccessLog(logDir, 2000);
  const entry = entries()[0]!;
  for (let i = 0; i < 100; i++) (log.write({ ...entry, path: `/${i}` }), log.close());
  expect(existsSync(join(logDir, "access.log.3"))).toBe(true);
  expect(existsSync(join(logDir, "access.log.4"))).toBe(false);
  const newest = readFileSync(join(logDir, "access.log"), "utf8").trim().split("\n");
  expect(JSON.parse(newest.at(-1)!).path).toBe("/99");
  expect(readFileSync(join(logDir, "access.log"), "utf8").length).toBeLessThanOrEqual(2000);
});
