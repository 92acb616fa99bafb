import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSegmentStore } from "../../adapters/logs/segment-store.ts";
import { timeFromMs } from "../../lib/log-time.ts";
import type { ContainerLogSource, LoggedContainer, LogLine, RawLine } from "../../ports/container-logs.ts";
import { createLogCollector } from "./collector.ts";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** An engine in memory: containers, their whole output, and readers that end when told. */
function fakeEngine() {
  const containers: LoggedContainer[] = [];
  const output = new Map<string, RawLine[]>();
  const readers = new Map<string, { onLines: (l: RawLine[]) => void; onEnd: () => void }>();
  const follows: { id: string; since: string | null }[] = [];
  const source: ContainerLogSource = {
    list: async () => containers.map((c) => ({ ...c })),
    follow(id, since, onLines, onEnd) {
      follows.push({ id, since });
      // Like the engine, everything it still has; the collector must skip what it stored.
      queueMicrotask(() => onLines(output.get(id) ?? []));
      readers.set(id, { onLines, onEnd });
      return () => readers.delete(id);
    },
  };
  return {
    source,
    follows,
    run(container: LoggedContainer) {
      const found = containers.find((c) => c.id === container.id);
      if (found) found.running = container.running;
      else containers.push(container);
    },
    write(id: string, text: string, at: number) {
      const line: RawLine = { time: timeFromMs(at), stream: "stdout", text };
      output.set(id, [...(output.get(id) ?? []), line]);
      readers.get(id)?.onLines([line]);
    },
    exit(id: string) {
      containers.find((c) => c.id === id)!.running = false;
      const reader = readers.get(id);
      readers.delete(id);
      reader?.onEnd();
    },
  };
}

const container = (id: string, over: Partial<LoggedContainer> = {}): LoggedContainer => ({ id: id.padEnd(64, "0"), project: "shop", environment: "prod", block: "web", replica: 0, release: 1, running: true, ...over });

test("a crash loop: each run's last line is stored once, and followers see them as they come", async () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-collector-"));
  dirs.push(dir);
  const store = createSegmentStore({ dir, blockBytes: 1024 ** 2, totalBytes: 1024 ** 3 });
  const engine = fakeEngine();
  let wake = () => {};
  const collector = createLogCollector({
    source: engine.source,
    store,
    watch: (onChange) => ((wake = onChange), () => {}),
    known: (project) => project === "shop",
    flushMs: 5,
    eventSettleMs: 1,
  });
  const seen: LogLine[] = [];
  collector.subscribe((lines) => seen.push(...lines));
  const loop = container("aaa");
  engine.run(container("zzz", { project: "someone-else" }));
  engine.run(loop);
  const stop = collector.start(() => {});
  const T = Date.UTC(2026, 0, 1);
  for (let run = 0; run < 3; run++) {
    await Bun.sleep(20);
    engine.write(loop.id, "boot", T + run * 1000);
    engine.write(loop.id, `last words ${run}`, T + run * 1000 + 500);
    engine.exit(loop.id);
    await Bun.sleep(20);
    // The engine restarts it: a start event.
    engine.run({ ...loop, running: true });
    wake();
  }
  await Bun.sleep(30);
  stop();
  const stored = store.query({ project: "shop", environment: "prod", since: "2000" }, 1000).map((l) => l.text);
  expect(stored).toEqual(["boot", "last words 0", "boot", "last words 1", "boot", "last words 2"]);
  expect(seen.map((l) => l.text)).toEqual(stored);
  expect(engine.follows.some((f) => f.id.startsWith("zzz"))).toBe(false);
  // Each new reader starts after the last stored line.
  expect(engine.follows.filter((f) => f.id === loop.id).map((f) => f.since)).toEqual([null, timeFromMs(T + 500), timeFromMs(T + 1500), timeFromMs(T + 2500)]);
});

test("a source that cannot list is said once per cause, and once when it lists again", async () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-collector-"));
  dirs.push(dir);
  const store = createSegmentStore({ dir, blockBytes: 1024 ** 2, totalBytes: 1024 ** 3 });
  const failures = ["no cluster yet", "no cluster yet", "no cluster yet", "connection refused", null, null];
  let passes = 0;
  const source: ContainerLogSource = {
    async list() {
      const failure = failures[Math.min(passes++, failures.length - 1)];
      if (failure) throw new Error(failure);
      return [];
    },
    follow: (_id, _since, _onLines, onEnd) => (queueMicrotask(onEnd), () => {}),
  };
  const lines: string[] = [];
  const collector = createLogCollector({ source, store, watch: () => () => {}, known: () => true, reconcileMs: 5 });
  const stop = collector.start((line) => void lines.push(line));
  while (passes < failures.length + 1) await Bun.sleep(5);
  stop();
  store.close();
  expect(lines).toEqual(["logs: cannot list containers: no cluster yet", "logs: cannot list containers: connection refused", "logs: listing containers works again"]);
});
