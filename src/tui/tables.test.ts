import { expect, test } from "bun:test";
import type { Diff, Releases, Status, Top } from "./api.ts";
import { blockRows, diffLines } from "./tables.ts";

const status = {
  project: "shop",
  environment: "dev",
  release: { number: 2, status: "deployed", reason: null, warnings: [], source: "deploy" },
  live: 2,
  stopped: false,
  stoppedAt: null,
  blocks: [
    { name: "web", kind: "website", state: "running", ready: 2, wanted: 2, image: "sha256:1", release: 2, url: "http://web.dev.shop.localhost/", internal: "web:8080", restarts: 0, lastLog: [], configChangedSince: null },
    { name: "api", kind: "microservice", state: "starting", ready: 0, wanted: 1, image: null, release: null, url: null, internal: "api:3000", restarts: 0, lastLog: [], configChangedSince: null },
  ],
  warnings: [],
} as unknown as Status;
const traffic = { requestsPerSecond: 12.5, errorsPerSecond: 0, bytesPerSecond: 0, p50Ms: null, p95Ms: null, p99Ms: null };
const top = {
  replicas: [
    { block: "web", replica: 0, cpuPercent: 1.5, memoryBytes: 1_048_576, traffic },
    { block: "web", replica: 1, cpuPercent: 2.5, memoryBytes: 1_048_576, traffic },
  ],
} as unknown as Top;
const releases = { releases: [{ number: 2, live: true, blocks: [{ name: "web", commit: "0123456789abcdef" }] }], live: 2 } as unknown as Releases;

test("block rows merge status, samples (summed over replicas) and the live commit, sorted by name", () => {
  expect(blockRows(status, top, releases)).toEqual([
    { name: "api", kind: "microservice", state: "starting", replicas: "0/1", release: "-", commit: "-", url: "api:3000", cpu: "-", memory: "-", rps: "-" },
    { name: "web", kind: "website", state: "running", replicas: "2/2", release: "#2", commit: "0123456", url: "http://web.dev.shop.localhost/", cpu: "4.0%", memory: "2.0M", rps: "13" },
  ]);
  expect(blockRows(null, null, null)).toEqual([]);
});

test("a diff shows one line per changed block, names only", () => {
  const diff = {
    project: "shop",
    environment: "dev",
    against: "the next deploy",
    live: 2,
    changes: true,
    blocks: [
      { block: "web", change: "changed", commit: { from: "aaaaaaaa", to: "bbbbbbbb", subjects: ["Fix the cart"] }, image: true, vars: { added: ["KEY"], changed: ["DB"], removed: [] }, config: [{ key: "replicas", from: 1, to: 2 }] },
      { block: "api", change: "unchanged", commit: null, image: false, vars: { added: [], changed: [], removed: [] }, config: [] },
      { block: "db", change: "added", commit: null, image: true, vars: { added: [], changed: [], removed: [] }, config: [] },
    ],
  } as unknown as Diff;
  expect(diffLines(diff)).toEqual(["web: commit aaaaaaa → bbbbbbb (Fix the cart); vars +KEY ~DB; settings replicas", "db: added"]);
  expect(diffLines({ ...diff, changes: false })).toEqual(["no changes against the next deploy: the same images and settings roll out again"]);
});
