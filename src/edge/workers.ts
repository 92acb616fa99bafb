import type { Subprocess } from "bun";
import type { AccessEntry } from "../lib/access-log.ts";
import type { AccessLog } from "./access-log.ts";
import type { EdgeMetrics, MetricsSnapshot } from "./metrics.ts";
import { createBackoff, EDGE_BACKOFF } from "./restart-backoff.ts";

/** What an edge worker and the first edge process say to each other over IPC. */
export type WorkerMessage = { type: "snapshot"; snapshot: MetricsSnapshot } | { type: "access"; entries: AccessEntry[] } | { type: "ready" };
type RelayInfo = { port: number; secret: string; httpsPort: number | null };
export type PrimaryMessage = { type: "snapshot" } | ({ type: "relay" } & RelayInfo);

const SCRAPE_WAIT_MS = 250;

/**
 * The first edge process's helpers: `count` more `berth edge --worker` processes on the same
 * HTTP port (each listener has SO_REUSEPORT, so the kernel spreads connections over them). A
 * worker that dies is started again with the edge's backoff; `/metrics` asks every worker for
 * its counts before answering, and workers' access-log lines come here to be written by one writer.
 */
export function startWorkers(options: { count: number; command: string[]; metrics: EdgeMetrics; accessLog?: AccessLog; relay: RelayInfo; log: (line: string) => void }) {
  const { metrics, log } = options;
  const running = new Map<number, Subprocess>();
  const waiting = new Map<number, () => void>();
  let stopping = false;

  function start(id: number, backoff = createBackoff(EDGE_BACKOFF)) {
    const proc = Bun.spawn([...options.command, "--worker", String(id)], {
      stdin: "ignore",
      stdout: "inherit",
      stderr: "inherit",
      serialization: "json",
      ipc(message: WorkerMessage) {
        if (message.type === "snapshot") {
          metrics.absorb(id, message.snapshot);
          waiting.get(id)?.();
        } else if (message.type === "access" && options.accessLog) for (const entry of message.entries) options.accessLog.write(entry);
        else if (message.type === "ready") backoff.started(Date.now());
      },
    });
    running.set(id, proc);
    // Over IPC, not argv: the secret lets its holder name any client address to the relay listener.
    proc.send({ type: "relay", ...options.relay } satisfies PrimaryMessage);
    proc.exited.then((code) => {
      running.delete(id);
      waiting.get(id)?.();
      metrics.retire(id);
      if (stopping) return;
      const delay = backoff.delay(Date.now());
      log(`edge: worker ${id} (pid ${proc.pid}) exited with ${code}; starting it again${delay ? ` in ${delay} ms` : ""}`);
      setTimeout(() => stopping || start(id, backoff), delay);
    });
  }

  for (let id = 1; id <= options.count; id++) start(id);

  return {
    /** Asks each worker for its counts; a worker that does not answer in time keeps its last ones. */
    async collect(): Promise<void> {
      await Promise.all(
        [...running].map(
          ([id, proc]) =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, SCRAPE_WAIT_MS);
              waiting.set(id, () => (clearTimeout(timer), waiting.delete(id), resolve()));
              try {
                proc.send({ type: "snapshot" } satisfies PrimaryMessage);
              } catch {
                resolve();
              }
            }),
        ),
      );
    },
    /** SIGTERM to each worker (they finish their requests in flight), then waits for them. */
    async stop(): Promise<void> {
      stopping = true;
      const procs = [...running.values()];
      for (const proc of procs) proc.kill("SIGTERM");
      await Promise.all(procs.map((proc) => proc.exited));
    },
  };
}

/**
 * A worker's side: counts on request, access-log lines in batches (one IPC message per 100 ms,
 * not one per request), and an exit when the first process is gone: a worker alone would keep
 * the port with nobody to stop it.
 */
export function workerLink(options: { metrics: EdgeMetrics; onOrphaned: () => void }) {
  const send = (message: WorkerMessage) => {
    try {
      process.send?.(message);
    } catch {} // the first process is gone: onOrphaned follows
  };
  let relayed: (relay: RelayInfo) => void = () => {};
  const relay = new Promise<RelayInfo>((resolve) => (relayed = resolve));
  process.on("message", (message: PrimaryMessage) => {
    if (message.type === "snapshot") send({ type: "snapshot", snapshot: options.metrics.snapshot() });
    else if (message.type === "relay") relayed({ port: message.port, secret: message.secret, httpsPort: message.httpsPort });
  });
  process.on("disconnect", options.onOrphaned);
  const parent = process.ppid;
  // Also by polling: a parent killed with SIGKILL does not always close the channel in time.
  const watch = setInterval(() => process.ppid !== parent && options.onOrphaned(), 500);
  let batch: AccessEntry[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    if (batch.length === 0) return;
    send({ type: "access", entries: batch });
    batch = [];
  };
  const accessLog: AccessLog = {
    write(entry) {
      batch.push(entry);
      timer ??= setTimeout(flush, 100);
    },
    close: flush,
  };
  return {
    accessLog,
    /** Where the first process takes requests that need a login; it sends this first. */
    relay,
    ready: () => send({ type: "ready" }),
    close() {
      clearInterval(watch);
      if (timer) clearTimeout(timer);
      flush();
      process.off("disconnect", options.onOrphaned);
      process.disconnect?.();
    },
  };
}
