import { localUrl, type Config } from "../config.ts";
import { createBackoff, EDGE_BACKOFF, type BackoffPolicy } from "./restart-backoff.ts";
import { alive, edgeHealth, ensureEdge, type RunningEdge } from "./supervisor.ts";

export interface EdgeWatchOptions {
  configFile?: string;
  /** How often the edge's pid is checked (default 200 ms). */
  checkMs?: number;
  /** Consecutive failed `/healthz` answers, one a second, before a live but silent edge is replaced (default 5). */
  silentChecks?: number;
  policy?: BackoffPolicy;
}

export interface EdgeWatch {
  /** The edge serving now (null between a death and its restart) and the restarts so far. */
  state(): { pid: number | null; restarts: number };
  /** Stops watching; the edge itself keeps running, as it must outlive serve. */
  stop(): void;
}

/**
 * Keeps an edge running while serve runs: the one serve started or adopted is watched by pid
 * (and, for a child of serve, its exit), with a slower `/healthz` check for one that hangs. A dead
 * edge is started again at once, later ones with back-off; each restart is logged and counted.
 */
export function watchEdge(config: Config, first: RunningEdge, log: (line: string) => void, options: EdgeWatchOptions = {}): EdgeWatch {
  const checkMs = options.checkMs ?? 200;
  const healthEvery = Math.max(1, Math.round(1000 / checkMs));
  const silentChecks = options.silentChecks ?? 5;
  const metricsUrl = localUrl(config.edgeMetricsListen);
  const backoff = createBackoff(options.policy ?? EDGE_BACKOFF);
  backoff.started(Date.now());

  let current: RunningEdge | null = first;
  let exited = false;
  let restarts = 0;
  let stopped = false;
  let wake = () => {};
  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const follow = (edge: RunningEdge) => {
    exited = false;
    void edge.exited?.then(() => {
      if (current === edge) {
        exited = true;
        wake();
      }
    });
  };
  follow(first);

  let tick = 0;
  let silent = 0;
  /** Why the edge needs replacing, or null while it is fine. */
  async function trouble(edge: RunningEdge): Promise<string | null> {
    if (exited || !alive(edge.pid)) return `pid ${edge.pid} is gone`;
    if (++tick % healthEvery !== 0) return null;
    const answer = await edgeHealth(metricsUrl);
    silent = answer?.pid === edge.pid ? 0 : silent + 1;
    if (silent < silentChecks) return null;
    // Alive but not answering: a hung process holds the ports, so it must go before another can start.
    try {
      process.kill(edge.pid, "SIGKILL");
    } catch {} // gone meanwhile
    return `pid ${edge.pid} has not answered /healthz for ${silentChecks} checks; killed it`;
  }

  async function bringBack(): Promise<void> {
    while (!stopped) {
      const wait = backoff.delay(Date.now());
      if (wait > 0) {
        log(`edge: next restart attempt in ${wait / 1000}s`);
        await nap(wait);
        if (stopped) return;
      }
      // Counted as attempted, so a restart that keeps failing shows on /healthz too.
      restarts++;
      try {
        const edge = await ensureEdge(config, log, { configFile: options.configFile });
        if (stopped) return;
        current = edge;
        follow(edge);
        backoff.started(Date.now());
        log(`edge: back up (pid ${edge.pid}); ${restarts} restart(s) since serve started`);
        return;
      } catch (error) {
        log(`edge: restart failed: ${(error as Error).message.split("\n")[0]}`);
      }
    }
  }

  void (async () => {
    while (!stopped) {
      await nap(checkMs);
      if (stopped || !current) return;
      const why = await trouble(current);
      if (!why || stopped) continue;
      log(`edge: ${why}; restarting it`);
      current = null;
      silent = 0;
      await bringBack();
    }
  })();

  return {
    state: () => ({ pid: current?.pid ?? null, restarts }),
    stop() {
      stopped = true;
      wake();
    },
  };
}
