import type { BlockLogStore, ContainerLogSource, LoggedContainer, LogLine, RawLine } from "../../ports/container-logs.ts";

export interface CollectorDeps {
  source: ContainerLogSource;
  store: BlockLogStore;
  /** Calls back soon after a container starts or dies (the runtime's engine events). */
  watch: (onChange: () => void, log: (line: string) => void) => () => void;
  /** Only environments this Berth holds: another install on the same engine keeps its own logs. */
  known: (project: string, environment: string) => boolean;
  /** Lines are written and handed to followers in batches this far apart (default 100 ms). */
  flushMs?: number;
  /** The repair pass for whatever events missed (default 10 s). */
  reconcileMs?: number;
  /**
   * A pass runs this long after the first event of a burst (default 500 ms), for all of it: a
   * rollout of 100 blocks sends hundreds of events, and each pass lists every container. A reader
   * starting later loses nothing, as it reads from the last line stored.
   */
  eventSettleMs?: number;
}

/**
 * Follows the output of every container Berth runs into the block log store, as it runs. Which
 * containers to follow is read from the engine each time (level-based): a running container
 * without a reader gets one, from the last line stored for it, so a restart (of the container or
 * of serve) neither loses nor repeats lines; a stopped one is read to its end once, which keeps
 * the last words of each crash in a crash loop.
 */
export function createLogCollector(deps: CollectorDeps) {
  const flushMs = deps.flushMs ?? 100;
  const listeners = new Set<(lines: LogLine[]) => void>();
  const active = new Map<string, () => void>();
  /** Stopped containers already read to the end. */
  const drained = new Set<string>();
  /** Newest line seen per container, ahead of the store while a batch waits. */
  const seen = new Map<string, string>();
  let pending: LogLine[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** Asks for a reconcile pass (set by start). */
  let poke = () => {};

  function flush() {
    flushTimer = undefined;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    deps.store.append(batch);
    for (const listener of listeners) listener(batch);
  }

  function take(container: LoggedContainer, raw: RawLine[]) {
    const short = container.id.slice(0, 12);
    const after = seen.get(short) ?? deps.store.cursor(short) ?? "";
    let newest = after;
    for (const line of raw) {
      if (line.time <= after) continue;
      if (line.time > newest) newest = line.time;
      pending.push({ ...line, project: container.project, environment: container.environment, block: container.block, replica: container.replica, release: container.release, container: short });
    }
    seen.set(short, newest);
    flushTimer ??= setTimeout(flush, flushMs);
  }

  function follow(container: LoggedContainer) {
    const short = container.id.slice(0, 12);
    drained.delete(container.id);
    const stop = deps.source.follow(
      container.id,
      seen.get(short) ?? deps.store.cursor(short),
      (lines) => take(container, lines),
      () => {
        if (active.get(container.id) !== stop) return;
        active.delete(container.id);
        drained.add(container.id);
        // The engine may have restarted it already, before its start event found this reader still open.
        poke();
      },
    );
    active.set(container.id, stop);
  }

  async function reconcile() {
    // Asked once per environment per pass: an environment's containers all share the answer.
    const answers = new Map<string, boolean>();
    const known = (project: string, environment: string) => {
      const key = `${project}/${environment}`;
      if (!answers.has(key)) answers.set(key, deps.known(project, environment));
      return answers.get(key)!;
    };
    const containers = (await deps.source.list()).filter((c) => known(c.project, c.environment));
    for (const container of containers) {
      if (active.has(container.id)) continue;
      if (container.running || !drained.has(container.id)) follow(container);
    }
    const present = new Set(containers.map((c) => c.id));
    for (const id of drained) if (!present.has(id)) drained.delete(id);
    const shortIds = new Set(containers.map((c) => c.id.slice(0, 12)));
    for (const id of seen.keys()) if (!shortIds.has(id)) seen.delete(id);
    deps.store.pruneCursors(shortIds);
  }

  return {
    /** Starts collecting; returns the stop function. */
    start(log: (line: string) => void): () => void {
      let busy: Promise<void> | null = null;
      let again = false;
      // Said once per cause, not every pass: in fleet mode before `fleet init` there is no cluster to list for hours.
      let failing = "";
      const pass = () => {
        if (busy) return void (again = true);
        busy = reconcile()
          .then(
            () => {
              if (failing) log("logs: listing containers works again");
              failing = "";
            },
            (error: Error) => {
              const line = `logs: cannot list containers: ${error.message.split("\n")[0]}`;
              if (line !== failing) log(line);
              failing = line;
            },
          )
          .finally(() => {
            busy = null;
            if (again) (again = false), pass();
          });
      };
      let settling: ReturnType<typeof setTimeout> | undefined;
      const soon = () => {
        settling ??= setTimeout(() => {
          settling = undefined;
          pass();
        }, deps.eventSettleMs ?? 500);
      };
      poke = soon;
      pass();
      const unwatch = deps.watch(soon, log);
      const timer = setInterval(pass, deps.reconcileMs ?? 10_000);
      return () => {
        poke = () => {};
        unwatch();
        clearInterval(timer);
        clearTimeout(settling);
        for (const stop of active.values()) stop();
        active.clear();
        clearTimeout(flushTimer);
        flush();
      };
    },
    /** Every batch of lines, after it is stored. */
    subscribe(listener: (lines: LogLine[]) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type LogCollector = ReturnType<typeof createLogCollector>;
