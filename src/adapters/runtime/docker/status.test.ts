import { describe, expect, test } from "bun:test";
import type { Replica } from "./labels.ts";
import { blockStatus, environmentStatus } from "./status.ts";

let created = 1000;
const replica = (over: Partial<Replica>): Replica => ({
  id: crypto.randomUUID(), name: "n", block: "web", release: 1, hash: "h1", index: 0, wanted: 2, state: "running",
  image: "img:1", created: created++, upstream: { host: "127.0.0.1", port: 40000 + created }, ...over,
});

describe("block status from containers", () => {
  test("all replicas of the newest release up: running, with their upstreams", () => {
    const a = replica({});
    const b = replica({ index: 1 });
    expect(blockStatus("web", [a, b])).toEqual({
      block: "web", state: "running", ready: 2, wanted: 2, image: "img:1", release: 1, upstreams: [a.upstream!, b.upstream!], restarts: 0, lastLog: [],
    });
  });

  test("old and new hashes both present while the old still runs: deploying, traffic still on the old", () => {
    const old = replica({ wanted: 1 });
    const fresh = replica({ release: 2, hash: "h2", wanted: 1, image: "img:2" });
    expect(blockStatus("web", [old, fresh])).toMatchObject({ state: "deploying", ready: 1, wanted: 1, release: 2, image: "img:2", upstreams: [old.upstream] });
  });

  test("a crashing replica or a missing one: failed; none up: failed when crashing, else stopped", () => {
    expect(blockStatus("web", [replica({}), replica({ state: "restarting" })])).toMatchObject({ state: "failed", ready: 1, wanted: 2 });
    expect(blockStatus("web", [replica({})])).toMatchObject({ state: "failed", ready: 1, wanted: 2 });
    expect(blockStatus("web", [replica({ state: "restarting", wanted: 1 })])).toMatchObject({ state: "failed", ready: 0 });
    expect(blockStatus("web", [replica({ state: "exited" }), replica({ state: "exited" })])).toMatchObject({ state: "stopped", ready: 0, upstreams: [] });
  });

  test("a replica restarted again and again is a crash loop, not ready even while up, whatever the other replicas do", () => {
    const now = 2_000_000_000_000;
    const looping = replica({ restarts: 4, startedAt: now - 2_000, upstream: null });
    const steady = replica({ index: 1, restarts: 0, startedAt: now - 600_000, upstream: null });
    expect(blockStatus("jobs", [looping, steady], now)).toMatchObject({ state: "crashloop", ready: 1, wanted: 2, restarts: 4 });
    expect(blockStatus("jobs", [replica({ wanted: 1, state: "restarting", restarts: 2 })], now)).toMatchObject({ state: "crashloop", ready: 0 });
    // One crash, then up again: running, with the restart counted.
    expect(blockStatus("jobs", [replica({ wanted: 1, restarts: 1, startedAt: now - 1_000 })], now)).toMatchObject({ state: "running", ready: 1, restarts: 1 });
  });

  test("a worker has no upstreams; blocks come sorted by name", () => {
    const rows = environmentStatus([replica({ block: "web", wanted: 1 }), replica({ block: "jobs", wanted: 1, upstream: null })]);
    expect(rows.map((row) => [row.block, row.state, row.upstreams.length])).toEqual([["jobs", "running", 0], ["web", "running", 1]]);
  });
});
