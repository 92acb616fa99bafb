/**
 * The edge's route table: a pure structure built from the state DB's rows, swapped whole on
 * every change so the request path only does map lookups and string compares.
 */
import type { EdgeRouteRecord, EdgeSnapshot, GatewayClientRecord } from "../adapters/store/edge-reader.ts";

export type RouteAuth = EdgeRouteRecord["auth"];
/** The rows as the state DB holds them (see the edge reader). */
export type RouteRow = EdgeRouteRecord;
export type GatewayClientRow = GatewayClientRecord;
export type EdgeRows = EdgeSnapshot;

export interface Upstream {
  host: string;
  port: number;
  /** `http://host:port`, built once so forwarding only concatenates the path. */
  origin: string;
}

export interface Route {
  id: number;
  host: string;
  prefix: string;
  project: string;
  environment: string;
  block: string;
  auth: RouteAuth;
  upstreams: Upstream[];
  /** `<project>/<env>/<block>`: the key of its basic-auth users. */
  realm: string;
  /** `<project>/<env>`: the audience its gateway tokens must carry. */
  audience: string;
  /** "redirect": plain HTTP gets 308 to HTTPS once the host has a certificate. */
  https: "redirect" | "optional";
  hsts: boolean;
  /** Round-robin cursor; the only mutable field, and it lives only as long as this table. */
  next: number;
}

/** A servable certificate: `notAfter` in ms, the key still sealed. */
export interface CertEntry {
  certPem: string;
  keySealed: string;
  notAfter: number;
}

/** The environment behind a gateway host, where `POST /auth` issues tokens. */
export interface GatewayHost {
  project: string;
  environment: string;
  audience: string;
}

export interface HostEntry {
  /** Longest prefix first, so the first match is the most specific. */
  routes: Route[];
  gateway?: GatewayHost;
}

export interface RouteTable {
  hosts: Map<string, HostEntry>;
  /** realm → username → argon2id hash. */
  users: Map<string, Map<string, string>>;
  clients: Map<string, GatewayClientRow>;
  /** host → its certificate (exact names only: HTTP-01 issues no wildcards). */
  certs: Map<string, CertEntry>;
  /** ACME HTTP-01 token → key authorization. */
  challenges: Map<string, string>;
  routeCount: number;
}

export const EMPTY_TABLE: RouteTable = { hosts: new Map(), users: new Map(), clients: new Map(), certs: new Map(), challenges: new Map(), routeCount: 0 };

/** Routes the edge adds itself: the console host, proxied to the API listener. */
export interface TableExtras {
  consoleHost?: string;
  /** host:port of the API, as the edge reaches it. */
  api?: { host: string; port: number };
}

const originOf = (u: { host: string; port: number }) => `http://${u.host.includes(":") ? `[${u.host}]` : u.host}:${u.port}`;

export const gatewayHostName = (project: string, environment: string, domain: string) => `gateway.${environment}.${project}.${domain}`;

/** Bracketed IPv6 literals keep their colons; anything else loses `:port` and a trailing dot. */
export function normalizeHost(raw: string | null): string {
  if (!raw) return "";
  let host = raw;
  if (host.charCodeAt(0) === 91 /* [ */) {
    const end = host.indexOf("]");
    host = end === -1 ? host : host.slice(0, end + 1);
  } else {
    const colon = host.indexOf(":");
    if (colon !== -1) host = host.slice(0, colon);
  }
  if (host.endsWith(".")) host = host.slice(0, -1);
  return host.toLowerCase();
}

export function buildRouteTable(rows: EdgeRows, domain: string, extras: TableExtras = {}): RouteTable {
  const hosts = new Map<string, HostEntry>();
  const entry = (host: string) => {
    let found = hosts.get(host);
    if (!found) hosts.set(host, (found = { routes: [] }));
    return found;
  };
  const gatewayOf = (project: string, environment: string): GatewayHost => ({ project, environment, audience: `${project}/${environment}` });

  for (const row of rows.routes) {
    const host = normalizeHost(row.host);
    const route: Route = {
      id: row.id,
      host,
      prefix: row.pathPrefix === "/" ? "" : row.pathPrefix,
      project: row.project,
      environment: row.environment,
      block: row.block,
      auth: row.auth,
      upstreams: row.upstreams.map((u) => ({ host: u.host, port: u.port, origin: originOf(u) })),
      realm: `${row.project}/${row.environment}/${row.block}`,
      audience: `${row.project}/${row.environment}`,
      https: row.https ?? "redirect",
      hsts: row.hsts ?? false,
      next: 0,
    };
    const target = entry(host);
    target.routes.push(route);
    if (route.auth === "gateway") target.gateway ??= gatewayOf(row.project, row.environment);
  }
  if (extras.consoleHost && extras.api) {
    // The API does its own authentication; the edge only carries it, with TLS.
    const api = extras.api;
    const host = normalizeHost(extras.consoleHost);
    hosts.set(host, {
      routes: [{ id: 0, host, prefix: "", project: "", environment: "", block: "console", auth: "none", upstreams: [{ ...api, origin: originOf(api) }], realm: "", audience: "", https: "redirect", hsts: false, next: 0 }],
    });
  }
  for (const target of hosts.values()) target.routes.sort((a, b) => b.prefix.length - a.prefix.length);

  const clients = new Map<string, GatewayClientRow>();
  for (const client of rows.gatewayClients) {
    clients.set(client.clientId, client);
    // An environment with clients but no gateway API yet can still hand out tokens.
    entry(gatewayHostName(client.project, client.environment, domain)).gateway ??= gatewayOf(client.project, client.environment);
  }

  const users = new Map<string, Map<string, string>>();
  for (const user of rows.basicAuthUsers) {
    const realm = `${user.project}/${user.environment}/${user.block}`;
    let byName = users.get(realm);
    if (!byName) users.set(realm, (byName = new Map()));
    byName.set(user.username, user.passwordHash);
  }
  const certs = new Map<string, CertEntry>();
  for (const cert of rows.certificates ?? []) certs.set(normalizeHost(cert.host), { certPem: cert.certPem, keySealed: cert.keySealed, notAfter: Date.parse(cert.notAfter) });
  const challenges = new Map((rows.challenges ?? []).map((c) => [c.token, c.keyAuthorization]));
  return { hosts, users, clients, certs, challenges, routeCount: rows.routes.length };
}

/** `path` is the request target (path and query); a prefix matches whole segments only. */
export function findRoute(entry: HostEntry, path: string): Route | undefined {
  for (const route of entry.routes) {
    const prefix = route.prefix;
    if (prefix === "") return route;
    if (!path.startsWith(prefix)) continue;
    const after = path.charCodeAt(prefix.length);
    // NaN (end), "/" or "?": `/api` matches `/api`, `/api/x`, `/api?q`, never `/apix`.
    if (after !== after || after === 47 || after === 63) return route;
  }
  return undefined;
}

/** The path the upstream sees: the route's prefix removed, `/api?x=1` → `/?x=1`. */
export function stripPrefix(prefix: string, path: string): string {
  if (prefix === "") return path;
  const rest = path.slice(prefix.length);
  if (rest === "") return "/";
  return rest.charCodeAt(0) === 63 ? `/${rest}` : rest;
}

/** Exactly `/auth` (with or without a query) on a gateway host is the token endpoint. */
export const isTokenPath = (path: string) => path === "/auth" || path.startsWith("/auth?");
