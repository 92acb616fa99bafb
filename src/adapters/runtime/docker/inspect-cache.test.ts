import { describe, expect, test } from "bun:test";
import type Dockerode from "dockerode";
import { createInspectCache } from "./inspect-cache.ts";

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

const event = (id: string, action = "die") => ({ id, action, environment: null });

describe("inspect cache", () => {
  test("without a connected event stream every inspect asks the engine", async () => {
    const engine = fakeEngine();
    const cache = createInspectCache(engine.inspect);
    await cache.inspect("a");
    await cache.inspect("a");
    expect(engine.calls).toBe(2);
  });

  test("while connected a result is kept until an event for that container", async () => {
    const engine = fakeEngine();
    const cache = createInspectCache(engine.inspect);
    cache.connected();
    expect((await cache.inspect("a")).RestartCount).toBe(0);
    engine.restarts.set("a", 1);
    expect((await cache.inspect("a")).RestartCount).toBe(0);
    expect(engine.calls).toBe(1);
    cache.event(event("b"));
    expect((await cache.inspect("a")).RestartCount).toBe(0);
    cache.event(event("a", "start"));
    expect((await cache.inspect("a")).RestartCount).toBe(1);
    expect(engine.calls).toBe(2);
    cache.event(event("a", "destroy"));
    expect(cache.size).toBe(0);
  });

  test("an answer that was on its way when an event came is not kept", async () => {
    const engine = fakeEngine();
    const cache = createInspectCache(engine.inspect);
    cache.connected();
    engine.holdAnswers(true);
    const before = cache.inspect("a");
    engine.restarts.set("a", 3);
    cache.event(event("a"));
    engine.release();
    expect((await before).RestartCount).toBe(0);
    engine.holdAnswers(false);
    expect((await cache.inspect("a")).RestartCount).toBe(3);
  });

  test("callers asking at once share one engine call", async () => {
    const engine = fakeEngine();
    const cache = createInspectCache(engine.inspect);
    cache.connected();
    await Promise.all([cache.inspect("a"), cache.inspect("a"), cache.inspect("a")]);
    expect(engine.calls).toBe(1);
  });

  test("a lost stream drops everything kept and asks the engine until it is back", async () => {
    const engine = fakeEngine();
    const cache = createInspectCache(engine.inspect);
    cache.connected();
    await cache.inspect("a");
    cache.lost();
    engine.restarts.set("a", 2);
    expect((await cache.inspect("a")).RestartCount).toBe(2);
    expect((await cache.inspect("a")).RestartCount).toBe(2);
    expect(engine.calls).toBe(3);
    expect(cache.size).toBe(0);
  });
});
