import type { Server } from "bun";
import type { AccessLog } from "./access-log.ts";
import type { createBasicAuth } from "./basic-auth.ts";
import { clientAddress, forwardHeaders, type TrustedProxies } from "./forwarded.ts";
import type { createGateway } from "./gateway.ts";
import type { EdgeMetrics } from "./metrics.ts";
import { createDeadlines } from "./deadlines.ts";
import { forward, tooLarge, type ForwardSettings } from "./proxy.ts";
import { challengeToken, HSTS_VALUE, httpsLocation, usableCert } from "./https-redirect.ts";
import { jsonError, text } from "./responses.ts";
import type { TlsConnection } from "./tls-front.ts";
import { findRoute, isTokenPath, normalizeHost, stripPrefix, type Route, type RouteTable } from "./route-table.ts";
import type { UpstreamPools } from "./upstream-pool.ts";
import { upgradeWebSocket, type Relay } from "./websocket.ts";

export interface HandlerDeps {
  table: () => RouteTable;
  /** Brings the table up to date with the DB now if it changed since the last load (see follow.ts). */
  refresh: () => void;
  trustedProxies: TrustedProxies;
  metrics: EdgeMetrics;
  basicAuth: ReturnType<typeof createBasicAuth>;
  gateway: ReturnType<typeof createGateway>;
  upstreamTimeoutMs: number;
  maxBodyBytes: number;
  /** The listener this handler serves; "https" requests arrive through the TLS front (tls-front.ts). */
  scheme?: "http" | "https";
  /** HTTPS only: the TLS connection a request came through, by the inner connection's source port. */
  tlsConnection?: (innerPort: number) => TlsConnection | undefined;
  /** The HTTPS listener's port, for redirects; null while HTTPS is off. */
  httpsPort?: number | null;
  /** When set, one line per routed request (see access-log.ts); off by default. */
  accessLog?: AccessLog;
  /** Keep-alive connections to upstreams, shared by the HTTP and HTTPS listeners. */
  pools: UpstreamPools;
  /** X-Request-Id for requests that bring none (see request-id.ts). */
  requestId: () => string;
  /**
   * Edge workers (workers.ts): requests that need a login decision go to the first process over
   * loopback, so one login guard and one credential cache see every attempt whichever process
   * took the connection. `relayTo` on a worker; `relayFrom` on the first process's relay listener,
   * which believes the client address a worker passes only with the secret.
   */
  relayTo?: { port: number; secret: string };
  relayFrom?: string;
}

const RELAY_SECRET = "x-berth-relay";
const RELAY_PEER = "x-berth-relay-peer";

const headers = (req: Request) => req.headers;

const withHsts = (response: Response | undefined) => {
  response?.headers.set("strict-transport-security", HSTS_VALUE);
  return response;
};

/**
 * The proxy's request path: host → route → auth → forward. Routes come from memory (the table
 * is swapped whole by the follower), so an open route never touches the DB; a login or a
 * gateway call costs one primary-key read of its credential (see credentials.ts).
 */
export function createHandler(deps: HandlerDeps) {
  const { basicAuth, gateway, upstreamTimeoutMs, maxBodyBytes, trustedProxies } = deps;
  const scheme = deps.scheme ?? "http";
  const httpsPort = deps.httpsPort ?? null;
  const record = deps.metrics.record;
  const settings: ForwardSettings = { timeoutMs: upstreamTimeoutMs, deadlines: createDeadlines(upstreamTimeoutMs), pools: deps.pools, maxBodyBytes, record };
  const requestId = deps.requestId;
  // Only with an access log: what it needs to know about a request that the response does not say.
  const access = deps.accessLog ? { routes: new WeakMap<Request, Route>(), upstreams: new WeakMap<Request, string>() } : null;
  if (access) settings.picked = (req, upstream) => access.upstreams.set(req, upstream);
  /** The direct peer and the client it speaks for (the peer itself unless it is a trusted proxy). */
  const relayFrom = deps.relayFrom;
  const addressesOf = (req: Request, server: Server<Relay>) => {
    const direct = server.requestIP(req);
    let peer = scheme === "https" ? (deps.tlsConnection?.(direct?.port ?? 0)?.peer ?? "") : (direct?.address ?? "");
    if (relayFrom !== undefined) {
      const headers = req.headers;
      if (headers.get(RELAY_SECRET) === relayFrom) peer = headers.get(RELAY_PEER) ?? peer;
      headers.delete(RELAY_SECRET);
      headers.delete(RELAY_PEER);
    }
    return { peer, client: clientAddress(peer, req.headers, trustedProxies) };
  };

  const relayTo = deps.relayTo;
  const primary = relayTo && { host: "127.0.0.1", port: relayTo.port };
  /** A worker's request that needs a login decision, handed to the first process as it came (see relayTo). */
  const relay = (req: Request, server: Server<Relay>, target: string): Promise<Response> => {
    const headers = req.headers;
    headers.set(RELAY_SECRET, relayTo!.secret);
    headers.set(RELAY_PEER, server.requestIP(req)?.address ?? "");
    // Framing and Expect stay behind: the pool frames each request itself (upstream-pool.ts FRAMING).
    const pending = deps.pools.request(primary!, { method: req.method, target, headers, body: req.body, maxBodyBytes });
    return pending.response.catch(() => text(502, "the edge could not reach its first process"));
  };

  /** The table as the DB holds it now: re-read only when something was committed since the last load. */
  const freshTable = () => (deps.refresh(), deps.table());

  /** After auth: rewrite the headers and hand over to the proxy or the websocket relay. */
  function pass(req: Request, server: Server<Relay>, route: Route, target: string, rawHost: string, clientId: string | null, start: number, addresses = addressesOf(req, server)): Promise<Response | undefined> {
    const headers = req.headers;
    // Credentials the edge consumed are not the app's business; neither is a client-forged identity.
    if (route.auth !== "none") headers.delete("authorization");
    headers.delete("x-berth-client");
    const upstreamTarget = stripPrefix(route.prefix, target);
    const { peer, client } = addresses;

    if (headers.get("upgrade")?.toLowerCase() === "websocket") {
      // A copy: Bun's upgrade still needs the handshake headers that forwarding strips.
      const upstreamHeaders = new Headers(headers);
      forwardHeaders(upstreamHeaders, peer, client, rawHost, trustedProxies, scheme, requestId);
      if (clientId) upstreamHeaders.set("x-berth-client", clientId);
      return upgradeWebSocket(req, server, route, upstreamTarget, upstreamHeaders, upstreamTimeoutMs).then((response) => {
        record(route, response ? response.status : 101, start);
        return response;
      });
    }
    forwardHeaders(headers, peer, client, rawHost, trustedProxies, scheme, requestId);
    if (clientId) headers.set("x-berth-client", clientId);
    return forward(req, route, upstreamTarget, settings, start);
  }

  async function authenticate(req: Request, server: Server<Relay>, route: Route, target: string, rawHost: string, start: number) {
    // Credentials are decided on what the DB holds now, so new ones work and revoked ones stop at once.
    const table = freshTable();
    const addresses = addressesOf(req, server);
    let clientId: string | null = null;
    if (route.auth === "basic") {
      const denied = await basicAuth(req, route, table, addresses.client);
      if (denied) return record(route, denied.status, start), denied;
    } else {
      const checked = await gateway.check(req, route, table);
      if (typeof checked !== "string") return record(route, checked.status, start), checked;
      clientId = checked;
    }
    return pass(req, server, route, target, rawHost, clientId, start, addresses);
  }

  /** HTTP-01: answered for every host, before any route or auth, from what the DB holds now. */
  const challenge = (token: string) => {
    const answer = freshTable().challenges.get(token);
    return answer ? new Response(answer, { headers: { "content-type": "application/octet-stream", "cache-control": "no-store" } }) : text(404, "no such ACME challenge");
  };

  /** HTTPS: a request must come through the TLS front, and name the host its handshake asked for. */
  const misdirected = (req: Request, server: Server<Relay>, host: string): Response | null => {
    const connection = deps.tlsConnection?.(server.requestIP(req)?.port ?? 0);
    if (!connection) return text(421, "this port takes connections from the edge's TLS listener only");
    if (connection.serverName && normalizeHost(connection.serverName) !== host) return text(421, `this connection is for ${connection.serverName}, not ${host}`);
    return null;
  };

  // Not async itself: an open route goes straight to forward() with no extra promise in between.
  function handle(req: Request, server: Server<Relay>): Response | Promise<Response | undefined> {
    const start = performance.now();
    let table = deps.table();
    const rawHost = req.headers.get("host") ?? "";
    const host = normalizeHost(rawHost);
    if (scheme === "https") {
      const refused = misdirected(req, server, host);
      if (refused) return refused;
    } else {
      const url = req.url;
      const token = challengeToken(url.slice(url.indexOf("/", 8)));
      if (token) return challenge(token);
    }
    let entry = table.hosts.get(host);
    if (!entry) {
      // A host added a moment ago (a new environment's gateway) is served before the next poll;
      // the table is re-read only if the DB changed, so unknown hosts cause no more reads than commits do.
      deps.refresh();
      table = deps.table();
      entry = table.hosts.get(host);
    }
    if (!entry) {
      deps.metrics.unrouted();
      return text(404, `no site at ${host}`);
    }
    const url = req.url;
    // Path and query, without parsing a URL object: the scheme and host are at least 8 characters.
    const target = url.slice(url.indexOf("/", 8));
    if (entry.gateway && isTokenPath(target)) return relayTo ? relay(req, server, target) : gateway.issue(req, entry.gateway, freshTable(), addressesOf(req, server).client);
    const route = findRoute(entry, target);
    if (!route) {
      deps.metrics.unrouted();
      return entry.gateway ? jsonError(404, `no API at ${target.split("?")[0]}`) : text(404, `no site at ${host}${target.split("?")[0]}`);
    }
    if (scheme === "http") {
      const location = httpsLocation(route, usableCert(table.certs, host, Date.now()), host, target, httpsPort);
      if (location) return record(route, 308, start), new Response(null, { status: 308, headers: { location, "cache-control": "no-store" } });
    }
    // Refused before auth, so an oversized upload costs no argon2 and reaches no upstream.
    const declared = req.headers.get("content-length");
    if (declared !== null && Number(declared) > maxBodyBytes) return record(route, 413, start), tooLarge(maxBodyBytes);
    if (relayTo && route.auth !== "none" && headers(req).get("upgrade") === null) return relay(req, server, target);
    access?.routes.set(req, route);
    const answer = route.auth === "none" ? pass(req, server, route, target, rawHost, null, start) : authenticate(req, server, route, target, rawHost, start);
    return scheme === "https" && route.hsts ? answer.then(withHsts) : answer;
  }

  if (!access || !deps.accessLog) return handle;
  const accessLog = deps.accessLog;
  // One date string per millisecond, not one per request.
  let isoAt = 0;
  let iso = "";
  const now = () => {
    const ms = Date.now();
    if (ms !== isoAt) (isoAt = ms), (iso = new Date(ms).toISOString());
    return iso;
  };
  const logged = (req: Request, server: Server<Relay>, response: Response | undefined, start: number) => {
    const route = access.routes.get(req);
    if (!route) return response;
    const url = req.url;
    const target = url.slice(url.indexOf("/", 8));
    const query = target.indexOf("?");
    const length = response?.headers.get("content-length");
    accessLog.write({
      time: now(),
      project: route.project,
      environment: route.environment,
      block: route.block,
      host: normalizeHost(req.headers.get("host") ?? ""),
      method: req.method,
      path: query === -1 ? target : target.slice(0, query),
      status: response ? response.status : 101,
      bytes: length ? Number(length) : null,
      durationMs: Math.round((performance.now() - start) * 100) / 100,
      upstream: access.upstreams.get(req) ?? null,
      requestId: req.headers.get("x-request-id"),
      clientIp: req.headers.get("x-real-ip") ?? server.requestIP(req)?.address ?? "",
    });
    return response;
  };
  return function handleAndLog(req: Request, server: Server<Relay>): Response | Promise<Response | undefined> {
    const start = performance.now();
    const result = handle(req, server);
    return result instanceof Promise ? result.then((response) => logged(req, server, response, start)) : logged(req, server, result, start)!;
  };
}
