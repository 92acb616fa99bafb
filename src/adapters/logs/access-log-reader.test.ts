import { afterEach, describe, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AccessEntry } from "../../lib/access-log.ts";
import { createAccessLogReader } from "./access-log-reader.ts";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const entry = (n: number, block = "web", project = "shop"): AccessEntry => ({
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  project,
  environment: "dev",
  block,
  host: `${block}.dev.${project}.localhost`,
  method: "GET",
  path: `/${n}`,
  status: 200,
  bytes: 2,
  durationMs: 1,
  upstream: "127.0.0.1:1",
  requestId: null,
  clientIp: "127.0.0.1",
});
const lines = (entries: AccessEntry[]) => entries.map((e) => `${JSON.stringify(e)}\n`).join("");

/** access.log.1 holds requests 0–9 (web and api alternating), access.log 10–19. */
function logDir() {
  const dir = mkdtempSync(join(tmpdir(), "berth-access-"));
  dirs.push(dir);
  const all = Array.from({ length: 20 }, (_, n) => entry(n, n % 2 ? "api" : "web"));
  writeFileSync(join(dir, "access.log.1"), lines(all.slice(0, 10)) + lines([entry(99, "web", "other")]));
  writeFileSync(join(dir, "access.log"), lines(all.slice(10)));
  return dir;
}
async function until(done: () => boolean) {
  for (const deadline = Date.now() + 5000; !done() && Date.now() < deadline; ) await Bun.sleep(50);
}
const paths = (entries: AccessEntry[]) => entries.map((e) => e.path);

describe("access log reader", () => {
  test("--tail gives the last entries across a rotation, oldest first", () => {
    const reader = createAccessLogReader(logDir());
    expect(paths(reader.read({ project: "shop", environment: "dev", blocks: ["web"], tail: 7 }, 1000))).toEqual(["/6", "/8", "/10", "/12", "/14", "/16", "/18"]);
    expect(paths(reader.read({ project: "shop", environment: "dev", tail: 2 }, 1000))).toEqual(["/18", "/19"]);
  });

  test("without --tail: the oldest entries first, at most the limit; other projects never", () => {
    const reader = createAccessLogReader(logDir());
    expect(paths(reader.read({ project: "shop", environment: "dev" }, 3))).toEqual(["/0", "/1", "/2"]);
    expect(reader.read({ project: "shop", environment: "dev" }, 1000)).toHaveLength(20);
    expect(paths(reader.read({ project: "other", environment: "dev" }, 1000))).toEqual(["/99"]);
  });

  test("since and until bound by time; grep by text", () => {
    const reader = createAccessLogReader(logDir());
    const window = { since: entry(12).time, until: entry(14).time };
    expect(paths(reader.read({ project: "shop", environment: "dev", ...window }, 1000))).toEqual(["/12", "/13", "/14"]);
    expect(paths(reader.read({ project: "shop", environment: "dev", grep: /"path":"\/1[57]"/ }, 1000))).toEqual(["/15", "/17"]);
  });

  test("follow delivers what the edge appends, and a rotated live file from its start", async () => {
    const dir = logDir();
    const seen: string[] = [];
    const stop = createAccessLogReader(dir).follow({ project: "shop", environment: "dev" }, (entries) => seen.push(...paths(entries)));
    try {
      appendFileSync(join(dir, "access.log"), lines([entry(20), entry(21, "web", "other")]));
      await until(() => seen.length >= 1);
      writeFileSync(join(dir, "access.log"), lines([entry(22)]));
      await until(() => seen.length >= 2);
    } finally {
      stop();
    }
    expect(seen).toEqual(["/20", "/22"]);
  });
});
