import { describe, expect, test } from "bun:test";
import type { BlockRuntimeStatus } from "../../ports/runtime.ts";
import { watchForCrashes } from "./crash-watch.ts";

const row = (over: Partial<BlockRuntimeStatus>): BlockRuntimeStatus => ({
  block: "jobs", state: "running", ready: 1, wanted: 1, image: "i", release: 2, upstreams: [], restarts: 0, lastLog: [], ...over,
});

/** A runtime whose status answers are given in advance, one per call (the last repeats). */
const scripted = (answers: BlockRuntimeStatus[][]) => {
  let call = 0;
  return { status: async () => answers[Math.min(call++, answers.length - 1)]! };
};

const watch = (answers: BlockRuntimeStatus[][], windowMs = 200, since?: number) =>
  watchForCrashes({ runtime: scripted(answers), project: "p", environment: "dev", release: 2, windowMs, since, pollMs: 10, say: () => {} });

describe("crash watch after a rollout", () => {
  test("a replica of the release restarted within the window fails it, naming the block and its last log line", async () => {
    const reason = await watch([[row({})], [row({})], [row({ restarts: 1, lastLog: ["cannot reach queue"] })]]);
    expect(reason).toBe("jobs crashed after its health check passed (restarted 1 time(s)); last log lines: cannot reach queue");
  });

  test("no restart within the window: the release stands", async () => {
    expect(await watch([[row({})]], 50)).toBeNull();
  });

  test("a block the release left alone is not its doing, even when it crashes meanwhile", async () => {
    const old = row({ block: "db", release: 1, restarts: 3, state: "crashloop" });
    expect(await watch([[row({}), old], [row({}), { ...old, restarts: 4 }]], 100)).toBeNull();
  });

  test("a release that started nothing (no change) is not watched; a zero window turns it off", async () => {
    expect(await watch([[row({ release: 1 })], [row({ release: 1, state: "crashloop", restarts: 5 })]])).toBeNull();
    expect(await watch([[row({ restarts: 5, state: "crashloop" })]], 0)).toBeNull();
  });

  test("the window counts from the last switch: what has passed of it since is not waited again, and one read is still made", async () => {
    const runtime = scripted([[row({})], [row({ restarts: 1 })]]);
    let reads = 0;
    const counted = { status: async () => (reads++, runtime.status()) };
    const reason = await watchForCrashes({ runtime: counted, project: "p", environment: "dev", release: 2, windowMs: 10_000, since: Date.now() - 10_000, pollMs: 10, say: () => {} });
    expect(reason).toBeNull();
    expect(reads).toBe(1);
    // A restart already there when the window has passed still fails the release.
    expect(await watch([[row({ restarts: 1 })]], 10_000, Date.now() - 20_000)).toContain("jobs crashed");
  });
});
