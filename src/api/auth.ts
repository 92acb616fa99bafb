import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { BerthError, forbidden, rateLimited, unauthorized } from "../core/errors.ts";
import type { Principal } from "../core/people/rights.ts";
import type { Sessions } from "../core/people/sessions.ts";
import { tokenId, type Tokens } from "../core/tokens.ts";
import { createLoginGuard, retryAfterSeconds, type LoginGuard } from "../lib/throttle.ts";
import type { Context } from "hono";
import { cameOverHttps, clientIp, ownOrigin } from "./client-ip.ts";
import type { ApiEnv } from "./env.ts";
import { authorize, isRead, type ResolveProject } from "./policy.ts";

const SESSION_COOKIE = "berth_session";

/**
 * Over HTTPS the cookie is `__Host-` prefixed: browsers then take it only from this very host
 * (Secure, Path=/, no Domain), so an app on a sibling subdomain cannot plant one of its own.
 */
export const sessionCookieName = (c: Context) => (cameOverHttps(c) ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE);

export interface AuthDeps {
  tokens: Tokens;
  sessions: Sessions;
  resolve: ResolveProject;
}

/**
 * Who is calling: a bearer token, or else the console's session cookie. Failed tokens feed a
 * login guard (per client address and per token id); while it blocks, the answer is 429 with
 * Retry-After and the token is not looked at. A change made with a cookie must come from a page
 * of this server (Origin equal to its own), so another site cannot make a browser send it.
 */
export const authenticate = (deps: Pick<AuthDeps, "tokens" | "sessions">, guard: LoginGuard = createLoginGuard()) =>
  createMiddleware<ApiEnv>(async (c, next) => {
    const ip = clientIp(c);
    c.set("ip", ip);
    const header = c.req.header("Authorization");
    const cookie = getCookie(c, sessionCookieName(c));
    if (!header && cookie) {
      const principal = deps.sessions.principal(cookie);
      if (!principal) throw unauthorized("the session has ended: sign in again");
      // A websocket upgrade is a GET that opens a shell: browsers send cookies with it from any site.
      const upgrade = c.req.header("upgrade")?.toLowerCase() === "websocket";
      if ((!isRead(c.req.method) || upgrade) && c.req.header("origin") !== ownOrigin(c)) {
        throw forbidden("a change made with the session cookie must come from the console's own origin (Origin header)");
      }
      c.set("principal", principal);
      c.set("currentPrincipal", () => deps.sessions.current(cookie));
      return next();
    }
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? "");
    if (!match) throw unauthorized("missing API token: send Authorization: Bearer <token>, or sign in to the console");
    const id = tokenId(match[1]!);
    const credential = id && `token:${id}`;
    const blocked = guard.retryAfterMs(ip, credential);
    if (blocked > 0) {
      const seconds = retryAfterSeconds(blocked);
      c.header("Retry-After", String(seconds));
      throw rateLimited(`too many failed logins: try again in ${seconds} s`);
    }
    let principal: Principal | null;
    try {
      principal = deps.sessions.forToken(deps.tokens.authenticate(match[1]!));
      if (!principal) throw unauthorized("the API token's user no longer exists");
    } catch (error) {
      if (error instanceof BerthError && error.code === "unauthorized") guard.failed(ip, credential);
      throw error;
    }
    if (credential) guard.succeeded(ip, credential);
    c.set("principal", principal);
    c.set("currentPrincipal", () => {
      const record = deps.tokens.current(match[1]!);
      return record && deps.sessions.forToken(record);
    });
    await next();
  });

/** Authorises the route for the principal (policy.ts): every /api request, streams included. */
export const authorizeRoute = (resolve: ResolveProject) =>
  createMiddleware<ApiEnv>(async (c, next) => {
    const query = new URL(c.req.url).searchParams;
    const check = (principal: Principal, onProject?: (project: string) => void) => authorize(principal, c.req.method, c.req.path, query, resolve, onProject);
    check(c.get("principal"), (project) => c.set("project", project));
    // Long answers (log streams) ask again, so a revoked token, an ended session or a removed grant stops reading.
    c.set("stillAuthorised", () => {
      const now = c.get("currentPrincipal")();
      if (!now) return false;
      try {
        check(now);
        return true;
      } catch {
        return false;
      }
    });
    await next();
  });
