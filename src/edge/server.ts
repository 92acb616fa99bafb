import type { Server } from "bun";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openEdgeReader } from "../adapters/store/edge-reader.ts";
import { listenAddress } from "../config.ts";
import { createLoginGuard } from "../lib/throttle.ts";
import { VERSION } from "../version.ts";
import { createAccessLog } from "./access-log.ts";
import { createBasicAuth } from "./basic-auth.ts";
import { tableCredentials as credentials } from "./credentials.ts";
import { trustedProxies } from "./forwarded.ts";
import { followRoutes } from "./follow.ts";
import { createGateway } from "./gateway.ts";
import { createHandler } from "./handler.ts";
import { createEdgeMetrics } from "./metrics.ts";
import { text } from "./responses.ts";
import { relayHandlers, type Relay } from "./websocket.ts";

export interface EdgeOptions {
  /** Holds `berth.db` (read-only here) and `secret.key` (the gateway keys derive from it). */
  dataDir: string;
  /** host:port of the proxy; port 0 picks a free one. */
  listen: string;
  /** host:port of `/metrics` and `/healthz`. */
  metricsListen: string;
  domain: string;
  /** Wait for an upstream's response headers before answering 504 (default 30 s). */
  upstreamTimeoutMs?: number;
  /** Larger request bodies get 413 (default 10 MiB). */
  maxBodyBytes?: number;
  /** How often the route table checks the DB for changes (default 200 ms). */
  pollMs?: number;
  /** How long a verified basic-auth header is trusted without argon2 (default 60 s). */
  authCacheMs?: number;
  /** How long stop() lets requests in flight finish before closing them (default 10 s). */
  drainMs?: number;
  /** CIDRs of proxies in front of the edge whose X-Forwarded-For and friends are believed (default none). */
  trustedProxies?: readonly string[];
  /** One JSON line per routed request into `<dir>/access.log`, rotated past `maxBytes`; none: no access log. */
  accessLog?: { dir: string; maxBytes: number };
  log?: (line: string) => void;
}

export interface Edge {
  url: string;
  metricsUrl: string;
  stop(): Promise<void>;
}

/** The 32-byte master key, read once it exists; looked for at most once a second until then. */
function masterKeyFile(path: string) {
  let key: Buffer | null = null;
  let triedAt = Number.NEGATIVE_INFINITY;
  return () => {
    if (key || Date.now() - triedAt < 1000) return key;
    triedAt = Date.now();
    try {
      const read = readFileSync(path);
      if (read.length === 32) key = read;
    } catch {}
    return key;
  };
}

function listen<T>(what: string, address: string, start: () => Server<T>): Server<T> {
  try {
    return start();
  } catch (error) {
    const reason = (error as { code?: string }).code === "EADDRINUSE" || /in use/i.test((error as Error).message) ? "address already in use" : (error as Error).message;
    throw new Error(`edge: cannot listen on ${address} (${what}): ${reason}`);
  }
}

/** The data plane: proxy listener, metrics listener and the route table that follows the DB. */
export function startEdge(options: EdgeOptions): Edge {
  const log = options.log ?? (() => {});
  const upstreamTimeoutMs = options.upstreamTimeoutMs ?? 30_000;
  const metrics = createEdgeMetrics();
  const reader = openEdgeReader(join(options.dataDir, "berth.db"));
  const follower = followRoutes(reader, { domain: options.domain, pollMs: options.pollMs ?? 200, log, onChange: (table) => metrics.tableLoaded(table.routeCount) });
  // One guard for both kinds of login: an IP guessing website passwords and gateway secrets is one IP guessing.
  const guard = metrics.countLogins(createLoginGuard());
  const accessLog = options.accessLog ? createAccessLog(options.accessLog.dir, options.accessLog.maxBytes, log) : undefined;
  const handle = createHandler({
    table: follower.current,
    refresh: follower.poll,
    trustedProxies: trustedProxies(options.trustedProxies ?? []),
    metrics,
    basicAuth: createBasicAuth({ cacheMs: options.authCacheMs ?? 60_000, guard, credentials }),
    gateway: createGateway({ masterKey: masterKeyFile(join(options.dataDir, "secret.key")), guard, credentials }),
    upstreamTimeoutMs,
    maxBodyBytes: options.maxBodyBytes ?? 10 * 1024 * 1024,
    accessLog,
  });

  const closeAll: (() => unknown)[] = [() => follower.stop(), () => reader.close(), () => accessLog?.close()];
  try {
    const proxy = listen("proxy", options.listen, () =>
      Bun.serve<Relay>({
        ...listenAddress(options.listen),
        // An upgrade starts the new edge on this port before the old one stops accepting.
        reusePort: true,
        fetch: handle,
        websocket: relayHandlers,
        // The handler enforces maxBodyBytes itself so the 413 has a body (Bun's own has none);
        // bodies stream through, so this cap guards nothing that the handler does not.
        maxRequestBodySize: Number.MAX_SAFE_INTEGER,
        // Longer than the upstream timeout, or a slow upstream's client would be dropped before its 504.
        idleTimeout: Math.min(255, Math.ceil(upstreamTimeoutMs / 1000) + 10),
        error(error) {
          log(`edge: request failed: ${error.message}`);
          return text(502, "the edge could not handle this request");
        },
      }),
    );
    closeAll.push(() => proxy.stop(true));
    const metricsServer = listen("metrics", options.metricsListen, () =>
      Bun.serve({
        ...listenAddress(options.metricsListen),
        async fetch(req) {
          const path = new URL(req.url).pathname;
          if (path === "/healthz") return Response.json({ status: "ok", pid: process.pid, version: VERSION, routes: follower.current().routeCount });
          if (path === "/metrics") return new Response(await metrics.registry.metrics(), { headers: { "content-type": metrics.registry.contentType } });
          return text(404, "try /metrics or /healthz");
        },
      }),
    );
    closeAll.push(() => metricsServer.stop(true));
    log(`edge: proxy on ${proxy.url.origin}, metrics on ${metricsServer.url.origin}`);

    return {
      url: proxy.url.origin,
      metricsUrl: metricsServer.url.origin,
      async stop() {
        follower.stop();
        // Let requests in flight finish, within reason: websockets would otherwise hold this forever.
        await Promise.race([proxy.stop(), Bun.sleep(options.drainMs ?? 10_000)]);
        for (const close of closeAll) close();
      },
    };
  } catch (error) {
    for (const close of closeAll.reverse()) close();
    throw error;
  }
}
