import { describe, expect, test } from "bun:test";
import type Dockerode from "dockerode";
import { createEventCache, createRuntimeCache } from "./runtime-cache.ts";

/** An engine whose containers report a restart count that the test bumps, counting the calls. */
function fakeEngine() {
  const restarts = new Map<string, number>();
  let calls = 0;
  const waiting: (() => void)[] = [];
  let hold = false;
  return {
    restarts,
    get calls() {
      return calls;
    },
    holdAnswers: (on: boolean) => void (hold = on),
    release: () => waiting.splice(0).forEach((go) => go()),
    async inspect(id: string) {
      calls++;
      const answer = { Id: id, RestartCount: restarts.get(id) ?? 0 } as Dockerode.ContainerInspectInfo;
      if (hold) await new Promise<void>((go) => waiting.push(go));
      return answer;
    },
  };
}

describe("event-fed cache", () => {
  test("without a connected event stream every inspect asks the engine", async () => {
    const engine = fakeEngine();
    const cache = createEventCache(engine.inspect);
    await cache.get("a");
    await cache.get("a");
    expect(engine.calls).toBe(2);
  });

  test("while connected a result is kept until an event for that container", async () => {
    const engine = fakeEngine();
    const cache = createEventCache(engine.inspect);
    cache.connected();
    expect((await cache.get("a")).RestartCount).toBe(0);
    engine.restarts.set("a", 1);
    expect((await cache.get("a")).RestartCount).toBe(0);
    expect(engine.calls).toBe(1);
    cache.forget("b");
    expect((await cache.get("a")).RestartCount).toBe(0);
    cache.forget("a");
    expect((await cache.get("a")).RestartCount).toBe(1);
    expect(engine.calls).toBe(2);
    cache.forget("a");
    expect(cache.size).toBe(0);
  });

  test("an answer that was on its way when an event came is not kept", async () => {
    const engine = fakeEngine();
    const cache = createEventCache(engine.inspect);
    cache.connected();
    engine.holdAnswers(true);
    const before = cache.get("a");
    engine.restarts.set("a", 3);
    cache.forget("a");
    engine.release();
    expect((await before).RestartCount).toBe(0);
    engine.holdAnswers(false);
    expect((await cache.get("a")).RestartCount).toBe(3);
  });

  test("callers asking at once share one engine call", async () => {
    const engine = fakeEngine();
    const cache = createEventCache(engine.inspect);
    cache.connected();
    await Promise.all([cache.get("a"), cache.get("a"), cache.get("a")]);
    expect(engine.calls).toBe(1);
  });

  test("a lost stream drops everything kept and asks the engine until it is back", async () => {
    const engine = fakeEngine();
    const cache = createEventCache(engine.inspect);
    cache.connected();
    await cache.get("a");
    cache.lost();
    engine.restarts.set("a", 2);
    expect((await cache.get("a")).RestartCount).toBe(2);
    expect((await cache.get("a")).RestartCount).toBe(2);
    expect(engine.calls).toBe(3);
    expect(cache.size).toBe(0);
  });
});

describe("runtime cache", () => {
  test("an event forgets its container's inspect and its environment's list, nothing else", async () => {
    let inspects = 0;
    let lists = 0;
    const docker = { getContainer: (id: string) => ({ inspect: async () => (inspects++, { Id: id }) }) } as unknown as Dockerode;
    const cache = createRuntimeCache(docker, async () => (lists++, []));
    cache.connected();
    const read = () => Promise.all([cache.inspect("a"), cache.inspect("b"), cache.listReplicas("shop", "dev"), cache.listReplicas("shop", "prod")]);
    await read();
    await read();
    expect([inspects, lists]).toEqual([2, 2]);
    cache.event({ id: "a", action: "die", environment: { project: "shop", environment: "dev" } });
    await read();
    expect([inspects, lists]).toEqual([3, 3]);
    // A container of no environment (a job run) changes no list.
    cache.event({ id: "b", action: "create", environment: null });
    await read();
    expect([inspects, lists]).toEqual([4, 3]);
  });
});
