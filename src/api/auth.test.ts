import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { unauthorized } from "../core/errors.ts";
import type { Sessions } from "../core/people/sessions.ts";
import type { Tokens } from "../core/tokens.ts";
import { createLoginGuard, LOGIN_LIMITS } from "../lib/throttle.ts";
import { authenticate } from "./auth.ts";
import type { ApiEnv } from "./env.ts";
import { onError } from "./problem.ts";

const GOOD = "berth_0123456789ab_good";

/** The middleware in front of one route, with a token check that counts how often it runs. */
function api() {
  let now = 1_000_000;
  const seen = { lookups: 0 };
  const tokens = {
    authenticate(token: string) {
      seen.lookups++;
      if (token !== GOOD) throw unauthorized("the API token is not valid");
      return { id: "0123456789ab", name: "ci", role: "viewer", userId: 1, project: null, expiresAt: null, createdAt: "", lastUsedAt: null };
    },
  } as unknown as Tokens;
  const sessions = { forToken: (token: { id: string; name: string }) => ({ user: { id: 1, name: "owner", role: "owner" }, grants: [], via: "token", token }) } as unknown as Sessions;
  const app = new Hono<ApiEnv>().use(authenticate({ tokens, sessions }, createLoginGuard(LOGIN_LIMITS, () => now))).get("/api/whoami", (c) => c.json(c.get("principal")));
  app.onError(onError);
  const call = (token: string, address: string, realIp?: string) =>
    app.request("/api/whoami", { headers: { Authorization: `Bearer ${token}`, ...(realIp && { "X-Real-IP": realIp }) } }, { requestIP: () => ({ address }) });
  return { call, seen, advance: (ms: number) => void (now += ms) };
}

describe("API token throttling", () => {
  test("after 10 wrong tokens from one address: 429 with Retry-After, and no token is looked up", async () => {
    const { call, seen, advance } = api();
    for (let i = 0; i < 10; i++) expect((await call(`berth_${String(i).padStart(12, "0")}_guess`, "192.0.2.1")).status).toBe(401);
    const lookups = seen.lookups;
    const blocked = await call(GOOD, "192.0.2.1");
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("retry-after")).toBe("60");
    expect(await blocked.json()).toMatchObject({ code: "rate_limited", status: 429 });
    expect(seen.lookups).toBe(lookups);

    expect((await call(GOOD, "192.0.2.2")).status).toBe(200);
    advance(60_000);
    expect((await call(GOOD, "192.0.2.1")).status).toBe(200);
  });

  test("one token id guessed from many addresses is blocked for a new address, not for one it worked from", async () => {
    const { call } = api();
    expect((await call(GOOD, "192.0.2.100")).status).toBe(200);
    for (let i = 0; i < 30; i++) expect((await call("berth_0123456789ab_guess", `198.51.100.${i % 5}`)).status).toBe(401);
    expect((await call(GOOD, "203.0.113.1")).status).toBe(429);
    expect((await call(GOOD, "192.0.2.100")).status).toBe(200);
  });

  test("through the edge (a loopback peer), each client is throttled on its own address; elsewhere the header is ignored", async () => {
    const { call } = api();
    for (let i = 0; i < 10; i++) expect((await call(`berth_${String(i).padStart(12, "0")}_guess`, "127.0.0.1", "198.51.100.7")).status).toBe(401);
    expect((await call(GOOD, "127.0.0.1", "198.51.100.7")).status).toBe(429);
    expect((await call(GOOD, "127.0.0.1", "203.0.113.9")).status).toBe(200);
    // A remote peer cannot pick its own address with the header.
    for (let i = 0; i < 10; i++) await call(`berth_${String(i).padStart(12, "0")}_guess`, "192.0.2.50", `10.0.0.${i}`);
    expect((await call(GOOD, "192.0.2.50", "10.0.0.99")).status).toBe(429);
  });
});
