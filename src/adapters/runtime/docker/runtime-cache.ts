import type Dockerode from "dockerode";
import type { EngineEvent, EngineFeed } from "./events.ts";
import type { Replica } from "./labels.ts";

/**
 * Answers kept per key while the engine's event stream is connected; an event about the key
 * drops what was kept of it. Without a connected stream every call asks the engine, as a missed
 * event would leave an answer stale. Callers asking while an answer is on its way share it; an
 * answer that was on its way when an event came is handed to its callers but not kept.
 */
export function createEventCache<T>(ask: (key: string) => Promise<T>) {
  const kept = new Map<string, T>();
  const inFlight = new Map<string, Promise<T>>();
  let live = false;

  const reset = (connected: boolean) => {
    live = connected;
    kept.clear();
    inFlight.clear();
  };

  return {
    get(key: string): Promise<T> {
      if (!live) return ask(key);
      const hit = kept.get(key);
      if (hit !== undefined) return Promise.resolve(hit);
      const pending = inFlight.get(key);
      if (pending) return pending;
      const asked = ask(key);
      inFlight.set(key, asked);
      asked.then(
        (answer) => {
          if (inFlight.get(key) !== asked) return;
          inFlight.delete(key);
          if (live) kept.set(key, answer);
        },
        () => {
          if (inFlight.get(key) === asked) inFlight.delete(key);
        },
      );
      return asked;
    },
    forget(key: string) {
      kept.delete(key);
      inFlight.delete(key);
    },
    connected: () => reset(true),
    lost: () => reset(false),
    /** How many answers are kept (for tests and figures). */
    get size() {
      return kept.size;
    },
  };
}

export type EventCache<T> = ReturnType<typeof createEventCache<T>>;

/**
 * What the runtime keeps of the engine between events: each container's inspect (restart count,
 * state, start time, published ports: all change only with an event about it) and each
 * environment's list of replicas (changes only when one of its containers is created, starts,
 * dies, pauses or goes). Status of 300 containers then asks the engine nothing while nothing
 * happens, instead of a list and 300 inspects per call.
 */
export function createRuntimeCache(docker: Dockerode, list: (project: string, env: string) => Promise<Replica[]>) {
  const inspects = createEventCache((id) => docker.getContainer(id).inspect());
  const lists = createEventCache((key) => {
    const [project, env] = JSON.parse(key) as [string, string];
    return list(project, env);
  });
  const envKey = (project: string, env: string) => JSON.stringify([project, env]);
  const caches = [inspects, lists];
  return {
    inspect: (id: string) => inspects.get(id),
    listReplicas: (project: string, env: string) => lists.get(envKey(project, env)),
    event(event: EngineEvent) {
      inspects.forget(event.id);
      if (event.environment) lists.forget(envKey(event.environment.project, event.environment.environment));
    },
    connected: () => caches.forEach((c) => c.connected()),
    lost: () => caches.forEach((c) => c.lost()),
  };
}

export type RuntimeCache = ReturnType<typeof createRuntimeCache>;

/**
 * Keeps `cache` fed by `feed` while at least one watcher (the route sync, the log collector) holds
 * the feed open: the cache opens no stream of its own, so a runtime nobody watches asks the engine.
 * Returns a watcher's attach, which returns its detach.
 */
export function feedCache(feed: EngineFeed, cache: Pick<RuntimeCache, "event" | "connected" | "lost">) {
  let watchers = 0;
  let unsubscribe: () => void = () => {};
  return (): (() => void) => {
    if (watchers++ === 0) unsubscribe = feed.subscribe({ event: cache.event, connected: cache.connected, lost: cache.lost, log: () => {} });
    let detached = false;
    return () => {
      if (detached) return;
      detached = true;
      if (--watchers > 0) return;
      unsubscribe();
      cache.lost();
    };
  };
}
