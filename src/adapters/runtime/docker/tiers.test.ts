import { describe, expect, test } from "bun:test";
import type { BlockPlan } from "../../../ports/runtime.ts";
import { runBounded, startTiers } from "./tiers.ts";

const block = (name: string, kind: BlockPlan["kind"]): BlockPlan => ({ block: name, kind, image: "x", env: {}, replicas: 1, volumes: [], hash: name });

/** A task whose end the test decides, so overlaps are shown by order, never by clocks. */
function gated() {
  const gates = new Map<string, () => void>();
  const events: string[] = [];
  let inFlight = 0;
  let most = 0;
  const task = (name: string) =>
    new Promise<string>((resolve) => {
      inFlight++;
      most = Math.max(most, inFlight);
      events.push(`start ${name}`);
      gates.set(name, () => {
        inFlight--;
        events.push(`end ${name}`);
        resolve(name);
      });
    });
  const open = async (name: string) => {
    while (!gates.has(name)) await Bun.sleep(1);
    gates.get(name)!();
  };
  return { task, open, events, most: () => most };
}

describe("start tiers", () => {
  test("services form the first tier; microservices, workers and websites the second, in plan order", () => {
    const tiers = startTiers([block("db", "service"), block("cache", "service"), block("api", "microservice"), block("q", "worker"), block("a", "website"), block("b", "website")]);
    expect(tiers.map((t) => t.map((b) => b.block))).toEqual([["db", "cache"], ["api", "q", "a", "b"]]);
    expect(startTiers([block("a", "website")]).map((t) => t.map((b) => b.block))).toEqual([["a"]]);
    expect(startTiers([])).toEqual([]);
  });

  test("a block that reads a service's exports starts in a tier after it, even a service reading another", () => {
    const reads = (b: BlockPlan, ...dependsOn: string[]) => ({ ...b, dependsOn });
    const tiers = startTiers([block("db", "service"), reads(block("search", "service"), "db"), reads(block("web", "website"), "search"), block("api", "microservice")]);
    expect(tiers.map((t) => t.map((b) => b.block))).toEqual([["db"], ["search", "api"], ["web"]]);
    // A cycle (only possible by hand) falls back to the kinds' order instead of hanging.
    const cycle = startTiers([reads(block("a", "service"), "b"), reads(block("b", "service"), "a")]);
    expect(cycle.flat().map((b) => b.block).sort()).toEqual(["a", "b"]);
  });
});

describe("runBounded", () => {
  test("keeps at most `limit` tasks in flight and starts the next as one ends; results in item order", async () => {
    const { task, open, events, most } = gated();
    const running = runBounded(["a", "b", "c", "d"], 2, task);
    await open("b");
    await open("a");
    await open("d");
    await open("c");
    const settled = await running;
    expect(settled).toEqual(["a", "b", "c", "d"].map((result) => ({ done: true, result })));
    expect(most()).toBe(2);
    expect(events.slice(0, 4)).toEqual(["start a", "start b", "end b", "start c"]);
  });

  test("after a result that says stop, nothing new starts but what is in flight finishes", async () => {
    const { task, open, events } = gated();
    const running = runBounded(["a", "b", "c", "d"], 2, task, (result) => result === "a");
    await open("a");
    await Bun.sleep(5);
    expect(events).toEqual(["start a", "start b", "end a"]);
    await open("b");
    expect(await running).toEqual([{ done: true, result: "a" }, { done: true, result: "b" }, { done: false }, { done: false }]);
  });

  test("a throwing task: the others in flight finish before the first error is rethrown", async () => {
    const { task, open, events } = gated();
    const running = runBounded(["a", "b", "c"], 2, (name) => (name === "a" ? Promise.reject(new Error("engine gone")) : task(name)));
    let rejected = false;
    const outcome = running.catch((error: unknown) => {
      rejected = true;
      return String(error);
    });
    await Bun.sleep(5);
    expect(rejected).toBe(false);
    await open("b");
    expect(await outcome).toBe("Error: engine gone");
    expect(events).toEqual(["start b", "end b"]);
  });

  test("a task that frees its place lets the next start while it runs on; the call waits for both", async () => {
    const { task, open, events } = gated();
    let finished = false;
    const running = runBounded(["a", "b"], 1, (name, free) => {
      const started = task(name);
      if (name === "a") free();
      return started;
    }).then((settled) => ((finished = true), settled));
    await Bun.sleep(5);
    expect(events).toEqual(["start a", "start b"]);
    await open("b");
    await Bun.sleep(5);
    expect(finished).toBe(false);
    await open("a");
    expect(await running).toEqual([{ done: true, result: "a" }, { done: true, result: "b" }]);
  });
});
