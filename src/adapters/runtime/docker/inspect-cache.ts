import type Dockerode from "dockerode";
import type { EngineEvent, EngineFeed } from "./events.ts";

type Inspect = (id: string) => Promise<Dockerode.ContainerInspectInfo>;

/**
 * Inspect results kept per container while the engine's event stream is connected; any event
 * for a container (start, die, health change, removal) drops what was kept of it. What an inspect
 * reports and status reads from it (restart count, state, start time, published ports) changes only
 * with such an event, so a kept result is as fresh as a new one, without an engine call each time:
 * status of 300 containers is one list call instead of 300 inspects. Without a connected stream
 * every call goes to the engine, as a missed event would leave a result stale.
 */
export function createInspectCache(inspect: Inspect) {
  const kept = new Map<string, Dockerode.ContainerInspectInfo>();
  /** Inspects on their way: callers asking meanwhile share one. */
  const inFlight = new Map<string, Promise<Dockerode.ContainerInspectInfo>>();
  let live = false;

  const forget = (id: string) => {
    kept.delete(id);
    // An answer already under way may predate the event: it is neither kept nor shared from now on.
    inFlight.delete(id);
  };
  const reset = (connected: boolean) => {
    live = connected;
    kept.clear();
    inFlight.clear();
  };

  return {
    /** The container's inspect result; rejects as the engine call does (e.g. 404 once it is gone). */
    inspect(id: string): Promise<Dockerode.ContainerInspectInfo> {
      if (!live) return inspect(id);
      const hit = kept.get(id);
      if (hit) return Promise.resolve(hit);
      const pending = inFlight.get(id);
      if (pending) return pending;
      const asked = inspect(id);
      inFlight.set(id, asked);
      asked.then(
        (info) => {
          if (inFlight.get(id) !== asked) return;
          inFlight.delete(id);
          if (live) kept.set(id, info);
        },
        () => {
          if (inFlight.get(id) === asked) inFlight.delete(id);
        },
      );
      return asked;
    },
    event: (event: EngineEvent) => forget(event.id),
    connected: () => reset(true),
    lost: () => reset(false),
    /** How many results are kept (for tests and figures). */
    get size() {
      return kept.size;
    },
  };
}

export type InspectCache = ReturnType<typeof createInspectCache>;

/**
 * Keeps `cache` fed by `feed` while at least one watcher (the route sync, the log collector) holds
 * the feed open: the cache opens no stream of its own, so a runtime nobody watches asks the engine.
 * `attach` returns the watcher's detach.
 */
export function feedCache(feed: EngineFeed, cache: InspectCache) {
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
