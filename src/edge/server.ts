import type { Server } from "bun";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openEdgeReader } from "../adapters/store/edge-reader.ts";
import { listenAddress } from "../config.ts";
import { createLoginGuard } from "../lib/throttle.ts";
import { VERSION } from "../version.ts";
import { createAccessLog, type AccessLog } from "./access-log.ts";
import { createBasicAuth } from "./basic-auth.ts";
import { tableCredentials as credentials } from "./credentials.ts";
import { trustedProxies } from "./forwarded.ts";
import { followRoutes } from "./follow.ts";
import { createGateway } from "./gateway.ts";
import { createHandler } from "./handler.ts";
import { fallbackCertificate } from "./fallback-cert.ts";
import { createEdgeMetrics, type EdgeMetrics } from "./metrics.ts";
import { createRequestIds } from "./request-id.ts";
import { text } from "./responses.ts";
import { createTlsContexts } from "./tls-certs.ts";
import { startTlsFront, type TlsFront } from "./tls-front.ts";
import { createUpstreamPools } from "./upstream-pool.ts";
import { relayHandlers, type Relay } from "./websocket.ts";

export interface EdgeOptions {
  /** Holds `berth.db` (read-only here) and `secret.key` (the gateway keys derive from it). */
  dataDir: string;
  /** host:port of the proxy; port 0 picks a free one. */
  listen: string;
  /** host:port of the HTTPS listener; none: plain HTTP only. */
  httpsListen?: string;
  /** A host routed to the API (and web console) at `apiListen`. */
  consoleHost?: string;
  apiListen?: string;
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
  accessLog?: { dir: string; maxBytes: number } | AccessLog;
  /**
   * "worker": one more process on the HTTP port beside the first (see workers.ts): no HTTPS, no
   * metrics listener, counts kept for the first process to collect.
   */
  role?: "primary" | "worker";
  /** Handed in when another part of the process needs them too (workers' counts, snapshots). */
  metrics?: EdgeMetrics;
  /** Runs before `/metrics` answers: the first process gathers its workers' counts here. */
  beforeScrape?: () => Promise<void>;
  /** First process: a loopback listener for the workers' requests that need a login (see handler.ts), believing this secret. */
  relaySecret?: string;
  /** Worker: where the first process's relay listener is, and its HTTPS port (for redirects to it). */
  relayTo?: { port: number; secret: string; httpsPort: number | null };
  log?: (line: string) => void;
}

export interface Edge {
  url: string;
  /** The relay listener's port, when `relaySecret` was given. */
  relayPort?: number;
  /** The HTTPS listener's port, when there is one. */
  httpsPort?: number;
  /** `https://127.0.0.1:port` of the HTTPS listener, when there is one. */
  httpsUrl?: string;
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

/** The address part of a listen setting as a URL host ("0.0.0.0" is reached on 127.0.0.1). */
const localHost = (address: string) => {
  const host = address.slice(0, address.lastIndexOf(":"));
  return host === "0.0.0.0" ? "127.0.0.1" : host === "[::]" ? "[::1]" : host;
};

function listen<T>(what: string, address: string, start: () => Server<T>): Server<T> {
  try {
    return start();
  } catch (error) {
    const reason = (error as { code?: string }).code === "EADDRINUSE" || /in use/i.test((error as Error).message) ? "address already in use" : (error as Error).message;
    throw new Error(`edge: cannot listen on ${address} (${what}): ${reason}`);
  }
}

/** The data plane: HTTP and HTTPS listeners, metrics listener and the route table that follows the DB. */
export async function startEdge(options: EdgeOptions): Promise<Edge> {
  const log = options.log ?? (() => {});
  const upstreamTimeoutMs = options.upstreamTimeoutMs ?? 30_000;
  const metrics = options.metrics ?? createEdgeMetrics();
  const worker = options.role === "worker";
  const reader = openEdgeReader(join(options.dataDir, "berth.db"));
  const extras = options.consoleHost && options.apiListen ? { consoleHost: options.consoleHost, api: { host: listenAddress(options.apiListen).hostname.replace(/^0\.0\.0\.0$|^::$/, "127.0.0.1"), port: listenAddress(options.apiListen).port } } : {};
  const follower = followRoutes(reader, { domain: options.domain, extras, pollMs: options.pollMs ?? 200, log, onChange: (table) => metrics.tableLoaded(table.routeCount) });
  metrics.watchCertificates(() => follower.current().certs);
  // One guard for both kinds of login: an IP guessing website passwords and gateway secrets is one IP guessing.
  const guard = metrics.countLogins(createLoginGuard());
  const masterKey = masterKeyFile(join(options.dataDir, "secret.key"));
  const accessLog = options.accessLog && "dir" in options.accessLog ? createAccessLog(options.accessLog.dir, options.accessLog.maxBytes, log) : options.accessLog;
  let front: TlsFront | null = null;
  // One of each for both listeners: a password verified over HTTP is verified over HTTPS too.
  const proxies = trustedProxies(options.trustedProxies ?? []);
  const basicAuth = createBasicAuth({ cacheMs: options.authCacheMs ?? 60_000, guard, credentials });
  const gateway = createGateway({ masterKey, guard, credentials });
  const pools = createUpstreamPools();
  const requestId = createRequestIds();
  const handlerFor = (scheme: "http" | "https", httpsPort: number | null, relayFrom?: string) =>
    createHandler({
      table: follower.current,
      refresh: follower.poll,
      trustedProxies: proxies,
      metrics,
      basicAuth,
      gateway,
      upstreamTimeoutMs,
      maxBodyBytes: options.maxBodyBytes ?? 10 * 1024 * 1024,
      scheme,
      httpsPort,
      tlsConnection: (port) => front?.connection(port),
      accessLog,
      pools,
      requestId,
      relayFrom,
      relayTo: relayFrom === undefined && options.relayTo ? { port: options.relayTo.port, secret: options.relayTo.secret } : undefined,
    });
  const serveWith = (address: { hostname: string; port: number }, handle: ReturnType<typeof createHandler>, reusePort = false) =>
    Bun.serve<Relay>({
      ...address,
      // On the public port: an upgrade starts the new edge there before the old one stops accepting.
      reusePort,
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
    });

  const closeAll: (() => unknown)[] = [() => follower.stop(), () => reader.close(), () => accessLog?.close(), () => pools.close()];
  try {
    let inner: Server<Relay> | null = null;
    if (options.httpsListen && !worker) {
      // HTTPS requests reach this inner server on loopback through the TLS front (see tls-front.ts).
      const innerServer = serveWith({ hostname: "127.0.0.1", port: 0 }, handlerFor("https", null));
      inner = innerServer;
      closeAll.push(() => innerServer.stop(true));
      const contexts = createTlsContexts(masterKey, log);
      const started = await startTlsFront({ listen: options.httpsListen, fallback: await fallbackCertificate(), contextFor: (name) => contexts.contextFor(follower.current(), name), innerPort: innerServer.port!, log });
      front = started;
      closeAll.push(() => started.stop());
    }
    const httpsPort = front?.port ?? options.relayTo?.httpsPort ?? null;
    const proxy = listen("proxy", options.listen, () => serveWith(listenAddress(options.listen), handlerFor("http", httpsPort), true));
    closeAll.push(() => proxy.stop(true));
    const relay = options.relaySecret ? serveWith({ hostname: "127.0.0.1", port: 0 }, handlerFor("http", httpsPort, options.relaySecret)) : null;
    if (relay) closeAll.push(() => relay.stop(true));
    const metricsServer = worker
      ? null
      : listen("metrics", options.metricsListen, () =>
          Bun.serve({
            ...listenAddress(options.metricsListen),
            async fetch(req) {
              const path = new URL(req.url).pathname;
              if (path === "/healthz") return Response.json({ status: "ok", pid: process.pid, version: VERSION, routes: follower.current().routeCount });
              if (path === "/metrics") {
                await options.beforeScrape?.();
                return new Response(await metrics.registry.metrics(), { headers: { "content-type": metrics.registry.contentType } });
              }
              return text(404, "try /metrics or /healthz");
            },
          }),
        );
    if (metricsServer) closeAll.push(() => metricsServer.stop(true));
    const httpsUrl = front ? `https://${localHost(options.httpsListen!)}:${front.port}` : undefined;
    if (metricsServer) log(`edge: proxy on ${proxy.url.origin}${httpsUrl ? `, HTTPS on ${httpsUrl}` : ""}, metrics on ${metricsServer.url.origin}`);

    return {
      url: proxy.url.origin,
      httpsUrl,
      metricsUrl: metricsServer?.url.origin ?? "",
      relayPort: relay?.port,
      httpsPort: front?.port,
      async stop() {
        follower.stop();
        front?.stop();
        // Let requests in flight finish, within reason: websockets would otherwise hold this forever.
        await Promise.race([Promise.all([proxy.stop(), inner?.stop(), relay?.stop()]), Bun.sleep(options.drainMs ?? 10_000)]);
        for (const close of closeAll) close();
      },
    };
  } catch (error) {
    for (const close of closeAll.reverse()) close();
    throw error;
  }
}
