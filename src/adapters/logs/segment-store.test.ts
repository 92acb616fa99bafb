import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { timeFromMs } from "../../lib/log-time.ts";
import type { LogLine } from "../../ports/container-logs.ts";
import { createSegmentStore } from "./segment-store.ts";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-segments-"));
  dirs.push(dir);
  return dir;
};

const T0 = Date.UTC(2026, 0, 1);
const line = (i: number, over: Partial<LogLine> = {}): LogLine => ({
  time: timeFromMs(T0 + i * 1000),
  project: "shop",
  environment: "prod",
  block: "web",
  replica: 0,
  release: 1,
  container: "aaaaaaaaaaaa",
  stream: "stdout",
  text: `line ${i} ${"x".repeat(100)}`,
  ...over,
});

test("since, until, tail, grep and release bound the answer", () => {
  const store = createSegmentStore({ dir: tempDir(), blockBytes: 1024 ** 2, totalBytes: 1024 ** 3 });
  store.append(Array.from({ length: 100 }, (_, i) => line(i, { release: i < 50 ? 1 : 2 })));
  const all = { project: "shop", environment: "prod" };
  expect(store.query({ ...all, tail: 3 }, 1000).map((l) => l.text.split(" ")[1])).toEqual(["97", "98", "99"]);
  expect(store.query({ ...all, since: timeFromMs(T0 + 90_000) }, 1000)).toHaveLength(10);
  expect(store.query({ ...all, since: timeFromMs(T0 + 10_000), until: timeFromMs(T0 + 12_000) }, 1000)).toHaveLength(3);
  expect(store.query({ ...all, grep: /^line 4\d /, release: 1 }, 1000)).toHaveLength(10);
  expect(store.query({ ...all, release: 2, tail: 1000 }, 1000)).toHaveLength(50);
  expect(store.query({ ...all, blocks: ["api"] }, 1000)).toHaveLength(0);
  expect(store.query({ project: "shop", environment: "dev" }, 1000)).toHaveLength(0);
});

test("a block past its cap loses its oldest segments first; the total cap holds across blocks", () => {
  const dir = tempDir();
  const store = createSegmentStore({ dir, blockBytes: 512 * 1024, totalBytes: 800 * 1024 });
  for (let batch = 0; batch < 40; batch++) store.append(Array.from({ length: 100 }, (_, i) => line(batch * 100 + i)));
  const files = readdirSync(join(dir, "shop/prod/web"));
  expect(files.length).toBeLessThanOrEqual(5);
  const kept = store.query({ project: "shop", environment: "prod" }, 100_000);
  expect(kept.at(-1)!.text).toStartWith("line 3999 ");
  expect(kept[0]!.text).not.toStartWith("line 0 ");
  for (let batch = 0; batch < 40; batch++) store.append(Array.from({ length: 100 }, (_, i) => line(5000 + batch * 100 + i, { block: "api" })));
  const size = (block: string) => readdirSync(join(dir, "shop/prod", block)).length;
  // The second block's writes pushed the total past 800 KiB: the first block's oldest went.
  expect(size("web")).toBeLessThan(files.length);
});

test("after a restart the cursor per container and the lines are still there", () => {
  const dir = tempDir();
  const first = createSegmentStore({ dir, blockBytes: 1024 ** 2, totalBytes: 1024 ** 3 });
  first.append([line(1), line(2, { container: "bbbbbbbbbbbb" })]);
  // No close(): a crash. The open segment still tells where each container got to.
  const second = createSegmentStore({ dir, blockBytes: 1024 ** 2, totalBytes: 1024 ** 3 });
  expect(second.cursor("aaaaaaaaaaaa")).toBe(timeFromMs(T0 + 1000));
  expect(second.cursor("bbbbbbbbbbbb")).toBe(timeFromMs(T0 + 2000));
  expect(second.query({ project: "shop", environment: "prod" }, 10)).toHaveLength(2);
  second.close();
});

test("a deleted environment's lines go; other environments keep theirs", () => {
  const dir = tempDir();
  const store = createSegmentStore({ dir, blockBytes: 1024 ** 2, totalBytes: 1024 ** 3 });
  store.append([line(1), line(2, { environment: "dev" })]);
  store.removeEnvironment("shop", "prod");
  expect(store.query({ project: "shop", environment: "prod" }, 10)).toEqual([]);
  expect(store.blocks("shop", "prod")).toEqual([]);
  expect(store.query({ project: "shop", environment: "dev" }, 10)).toHaveLength(1);
  // Written again later (a namesake environment): a fresh start.
  store.append([line(3)]);
  expect(store.query({ project: "shop", environment: "prod" }, 10).map((l) => l.text.split(" ")[1])).toEqual(["3"]);
  store.close();
});
