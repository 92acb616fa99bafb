import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLoginGuard } from "../lib/throttle.ts";
import { createBasicAuth } from "./basic-auth.ts";
import { tableCredentials } from "./credentials.ts";
import { gatewaySigningKey } from "./gateway-key.ts";
import { signGatewayToken } from "./gateway-token.ts";
import { buildRouteTable } from "./route-table.ts";
import { startEdge, type Edge } from "./server.ts";
import { stateDir, upstream } from "./test-fixtures.ts";

let state: ReturnType<typeof stateDir>;
let edge: Edge;
const site = upstream("site");
const api = upstream("api");
const GATEWAY = "gateway.prod.shop.localhost";
const SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret-s3cret";

beforeAll(async () => {
  state = stateDir();
  state.route({ host: "site.prod.shop.localhost", block: "site", auth: "basic", ports: [site.port] });
  state.route({ host: GATEWAY, pathPrefix: "/api", block: "api", auth: "gateway", ports: [api.port] });
  state.route({ host: "gateway.dev.shop.localhost", pathPrefix: "/api", block: "api", environment: "dev", auth: "gateway", ports: [api.port] });
  await state.user("site", "ann", "correct horse");
  state.client("gc_prod", SECRET);
  state.client("gc_dev", SECRET, { project: "shop", environment: "dev" });
  // No poll after the first load: what changes later must be seen per request, not by the timer.
  edge = await startEdge({ dataDir: state.dataDir, listen: "127.0.0.1:0", metricsListen: "127.0.0.1:0", domain: "localhost", pollMs: 60_000 });
});
afterAll(async () => {
  await edge.stop();
  site.stop();
  api.stop();
  state.close();
});

const call = (host: string, path: string, headers: Record<string, string> = {}, init: RequestInit = {}) => fetch(`${edge.url}${path}`, { ...init, headers: { host, ...headers } });
const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` });
const login = (clientId: string, clientSecret: string, host = GATEWAY) =>
  call(host, "/auth", { "content-type": "application/json" }, { method: "POST", body: JSON.stringify({ clientId, clientSecret }) });

describe("basic auth", () => {
  test("asks for a password with the block as realm, refuses wrong ones, lets the right one through", async () => {
    const anonymous = await call("site.prod.shop.localhost", "/");
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe('Basic realm="site"');
    expect((await call("site.prod.shop.localhost", "/", basic("ann", "wrong"))).status).toBe(401);
    expect((await call("site.prod.shop.localhost", "/", basic("bob", "correct horse"))).status).toBe(401);
    expect((await call("site.prod.shop.localhost", "/", { authorization: "Basic !!!" })).status).toBe(401);
    expect(site.seen).toHaveLength(0);

    const ok = await call("site.prod.shop.localhost", "/page", basic("ann", "correct horse"));
    expect(ok.status).toBe(200);
    expect(site.seen.at(-1)!.headers.authorization).toBeUndefined();
  });

  test("a verified header is cached: argon2id runs once for 20 requests", async () => {
    let verifications = 0;
    const rows = { routes: [{ id: 1, host: "site.localhost", pathPrefix: "", project: "shop", environment: "prod", block: "site", auth: "basic" as const, upstreams: [] }], basicAuthUsers: [{ project: "shop", environment: "prod", block: "site", username: "ann", passwordHash: "hash-of-ann" }], gatewayClients: [] };
    const table = buildRouteTable(rows, "localhost");
    const route = table.hosts.get("site.localhost")!.routes[0]!;
    const check = createBasicAuth({ cacheMs: 60_000, guard: createLoginGuard(), credentials: tableCredentials, verify: async (password) => (verifications++, password === "correct horse") });
    const request = () => new Request("http://site.localhost/", { headers: basic("ann", "correct horse") });
    for (let i = 0; i < 20; i++) expect(await check(request(), route, table, "127.0.0.1")).toBeNull();
    expect(verifications).toBe(1);
  });

  test("an unknown user name costs a password check too, against a decoy, and is refused", async () => {
    const checked: string[] = [];
    const rows = { routes: [{ id: 1, host: "site.localhost", pathPrefix: "", project: "shop", environment: "prod", block: "site", auth: "basic" as const, upstreams: [] }], basicAuthUsers: [{ project: "shop", environment: "prod", block: "site", username: "ann", passwordHash: "hash-of-ann" }], gatewayClients: [] };
    const table = buildRouteTable(rows, "localhost");
    const route = table.hosts.get("site.localhost")!.routes[0]!;
    // A verify that would take any password: only the user's own hash may let it through.
    const check = createBasicAuth({ cacheMs: 60_000, guard: createLoginGuard(), credentials: tableCredentials, verify: async (_password, hash) => (checked.push(hash), true), decoyHash: async () => "decoy-hash" });
    const refused = await check(new Request("http://site.localhost/", { headers: basic("bob", "anything") }), route, table, "127.0.0.1");
    expect(refused?.status).toBe(401);
    expect(checked).toEqual(["decoy-hash"]);
    expect(await check(new Request("http://site.localhost/", { headers: basic("ann", "anything") }), route, table, "127.0.0.2")).toBeNull();
    expect(checked).toEqual(["decoy-hash", "hash-of-ann"]);
  });

  test("a changed password ends the cache with the very next request", async () => {
    expect((await call("site.prod.shop.localhost", "/", basic("ann", "correct horse"))).status).toBe(200);
    await state.user("site", "ann", "new password");
    expect((await call("site.prod.shop.localhost", "/", basic("ann", "correct horse"))).status).toBe(401);
    expect((await call("site.prod.shop.localhost", "/", basic("ann", "new password"))).status).toBe(200);
  });
});

describe("API gateway", () => {
  test("POST /auth trades a client's secret for a token; a wrong secret or environment gets 401", async () => {
    const good = await login("gc_prod", SECRET);
    expect(good.status).toBe(200);
    const body = (await good.json()) as { token: string; expiresIn: number };
    expect(body.expiresIn).toBe(900);
    expect(body.token.split(".")).toHaveLength(3);

    for (const [id, secret] of [["gc_prod", `${SECRET}x`], ["gc_nobody", SECRET], ["gc_dev", SECRET]] as const) {
      const refused = await login(id, secret);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({ error: "invalid client credentials" });
    }
    expect((await call(GATEWAY, "/auth", {}, { method: "POST", body: "not json" })).status).toBe(400);
    expect((await call(GATEWAY, "/auth")).status).toBe(405);
    const unsized = new ReadableStream({ pull: (c) => (c.enqueue(new TextEncoder().encode("{}")), c.close()) });
    expect((await call(GATEWAY, "/auth", {}, { method: "POST", body: unsized })).status).toBe(411);
  });

  test("calls need a bearer token; without one the upstream never sees the request", async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer nope" }, { authorization: `Basic ${btoa("gc_prod:x")}` }];
    for (const headers of attempts) {
      const refused = await call(GATEWAY, "/api/items", headers);
      expect(refused.status).toBe(401);
      expect(refused.headers.get("content-type")).toContain("application/json");
      expect(typeof ((await refused.json()) as { error: string }).error).toBe("string");
    }
    expect(api.seen).toHaveLength(0);
  });

  test("with a token: the block prefix is stripped, Authorization removed, X-Berth-Client added", async () => {
    const { token } = (await (await login("gc_prod", SECRET)).json()) as { token: string };
    const ok = await call(GATEWAY, "/api/items?x=1", { authorization: `Bearer ${token}`, "x-berth-client": "forged" });
    expect(ok.status).toBe(200);
    const seen = api.seen.at(-1)!;
    expect(seen.path).toBe("/items?x=1");
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers["x-berth-client"]).toBe("gc_prod");
    await call(GATEWAY, "/api", { authorization: `Bearer ${token}` });
    expect(api.seen.at(-1)!.path).toBe("/");
    const missing = await call(GATEWAY, "/nothing", { authorization: `Bearer ${token}` });
    expect([missing.status, await missing.json()]).toEqual([404, { error: "no API at /nothing" }]);
  });

  test("expired tokens and tokens of another environment are refused", async () => {
    const before = api.seen.length;
    const key = gatewaySigningKey(state.masterKey, "shop", "prod");
    const expired = await signGatewayToken(key, { clientId: "gc_prod", audience: "shop/prod", nowMs: Date.now() - 3_600_000 });
    const late = await call(GATEWAY, "/api/items", { authorization: `Bearer ${expired}` });
    expect([late.status, await late.json()]).toEqual([401, { error: "token expired" }]);

    const { token: devToken } = (await (await login("gc_dev", SECRET, "gateway.dev.shop.localhost")).json()) as { token: string };
    expect((await call("gateway.dev.shop.localhost", "/api/x", { authorization: `Bearer ${devToken}` })).status).toBe(200);
    const crossed = await call(GATEWAY, "/api/items", { authorization: `Bearer ${devToken}` });
    expect([crossed.status, await crossed.json()]).toEqual([401, { error: "token is for another environment" }]);
    expect(api.seen.length).toBe(before + 1);
  });

  test("revoking a client ends its tokens with the very next request", async () => {
    const { token } = (await (await login("gc_prod", SECRET)).json()) as { token: string };
    expect((await call(GATEWAY, "/api/x", { authorization: `Bearer ${token}` })).status).toBe(200);
    state.db.$client.exec("DELETE FROM gateway_clients WHERE client_id = 'gc_prod'");
    expect((await call(GATEWAY, "/api/x", { authorization: `Bearer ${token}` })).status).toBe(401);
  });
});
