import { describe, expect, test } from "bun:test";
import { buildRouteTable, findRoute, isTokenPath, normalizeHost, stripPrefix, type EdgeRows, type RouteRow } from "./route-table.ts";

let nextId = 1;
const row = (host: string, pathPrefix: string, block: string, auth: RouteRow["auth"] = "none", port = 4000): RouteRow => ({
  id: nextId++,
  host,
  pathPrefix,
  project: "shop",
  environment: "prod",
  block,
  auth,
  upstreams: [{ host: "127.0.0.1", port }],
});
const rows = (routes: RouteRow[], extra: Partial<EdgeRows> = {}): EdgeRows => ({ routes, basicAuthUsers: [], gatewayClients: [], ...extra });

const GATEWAY = "gateway.prod.shop.localhost";
const table = buildRouteTable(
  rows([row("Web.Prod.Shop.Localhost", "", "web"), row(GATEWAY, "/api", "api", "gateway", 4001), row(GATEWAY, "/api/v2", "apiv2", "gateway", 4002), row(GATEWAY, "/admin", "admin", "gateway")]),
  "localhost",
);
const match = (host: string, path: string) => {
  const entry = table.hosts.get(normalizeHost(host));
  const route = entry && findRoute(entry, path);
  return route ? `${route.block} ${stripPrefix(route.prefix, path)}` : null;
};

describe("route table", () => {
  test("host names are compared lowercased, without port or trailing dot", () => {
    expect(normalizeHost("Web.Prod.Shop.Localhost:8080")).toBe("web.prod.shop.localhost");
    expect(normalizeHost("web.prod.shop.localhost.")).toBe("web.prod.shop.localhost");
    expect(normalizeHost("[::1]:8080")).toBe("[::1]");
    expect(normalizeHost("")).toBe("");
    expect(normalizeHost(null)).toBe("");
    expect(match("WEB.prod.shop.localhost:80", "/index.html")).toBe("web /index.html");
  });

  test("unknown hosts and paths match nothing", () => {
    expect(match("other.localhost", "/")).toBeNull();
    expect(match(GATEWAY, "/")).toBeNull();
    expect(match(GATEWAY, "/nope/x")).toBeNull();
  });

  test("the longest prefix wins, and prefixes match whole path segments only", () => {
    expect(match(GATEWAY, "/api/items?x=1")).toBe("api /items?x=1");
    expect(match(GATEWAY, "/api/v2/items")).toBe("apiv2 /items");
    expect(match(GATEWAY, "/api/v2")).toBe("apiv2 /");
    expect(match(GATEWAY, "/api/v20")).toBe("api /v20");
    expect(match(GATEWAY, "/apix")).toBeNull();
    expect(match(GATEWAY, "/administrator")).toBeNull();
  });

  test("stripping the prefix leaves an absolute path, keeping the query", () => {
    expect(stripPrefix("/api", "/api")).toBe("/");
    expect(stripPrefix("/api", "/api/")).toBe("/");
    expect(stripPrefix("/api", "/api?x=1")).toBe("/?x=1");
    expect(stripPrefix("/api", "/api/items?x=1")).toBe("/items?x=1");
    expect(stripPrefix("", "/a?b")).toBe("/a?b");
  });

  test("the whole-host route is the fallback after every prefix", () => {
    const mixed = buildRouteTable(rows([row("a.localhost", "", "site"), row("a.localhost", "/docs", "docs")]), "localhost");
    const entry = mixed.hosts.get("a.localhost")!;
    expect(entry.routes.map((r) => r.block)).toEqual(["docs", "site"]);
    expect(findRoute(entry, "/docs/x")!.block).toBe("docs");
    expect(findRoute(entry, "/docsx")!.block).toBe("site");
  });

  test("upstreams get ready-made origins; IPv6 hosts are bracketed", () => {
    const t = buildRouteTable(rows([{ ...row("a.localhost", "", "a"), upstreams: [{ host: "127.0.0.1", port: 1 }, { host: "::1", port: 2 }] }]), "localhost");
    expect(t.hosts.get("a.localhost")!.routes[0]!.upstreams.map((u) => u.origin)).toEqual(["http://127.0.0.1:1", "http://[::1]:2"]);
  });

  test("gateway hosts come from gateway routes and from environments that have clients", () => {
    expect(table.hosts.get(GATEWAY)!.gateway).toEqual({ project: "shop", environment: "prod", audience: "shop/prod" });
    expect(table.hosts.get("web.prod.shop.localhost")!.gateway).toBeUndefined();
    const t = buildRouteTable(rows([], { gatewayClients: [{ clientId: "gc_1", project: "blog", environment: "dev", secretHash: "x" }] }), "example.com");
    expect(t.hosts.get("gateway.dev.blog.example.com")).toEqual({ routes: [], gateway: { project: "blog", environment: "dev", audience: "blog/dev" } });
    expect(t.clients.get("gc_1")!.project).toBe("blog");
    expect(isTokenPath("/auth")).toBe(true);
    expect(isTokenPath("/auth?x")).toBe(true);
    expect(isTokenPath("/auth/x")).toBe(false);
  });

  test("basic-auth users are grouped by project/env/block", () => {
    const user = (block: string, username: string) => ({ project: "shop", environment: "prod", block, username, passwordHash: `h-${username}` });
    const t = buildRouteTable(rows([], { basicAuthUsers: [user("web", "ann"), user("web", "bob"), user("docs", "cy")] }), "localhost");
    expect([...t.users.get("shop/prod/web")!]).toEqual([["ann", "h-ann"], ["bob", "h-bob"]]);
    expect([...t.users.get("shop/prod/docs")!.keys()]).toEqual(["cy"]);
    expect(table.hosts.get("web.prod.shop.localhost")!.routes[0]!.realm).toBe("shop/prod/web");
  });
});
