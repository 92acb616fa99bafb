import { createMiddleware } from "hono/factory";
import { BerthError, rateLimited, unauthorized } from "../core/errors.ts";
import { atLeast } from "../core/roles.ts";
import { tokenId, type Tokens } from "../core/tokens.ts";
import { createLoginGuard, retryAfterSeconds, type LoginGuard } from "../lib/throttle.ts";
import type { ApiEnv } from "./env.ts";
import { authorize, requiredRole } from "./policy.ts";

type PeerAware = { requestIP?: (req: Request) => { address: string } | null };


/**
 * Authenticates the bearer token, then authorises the route: every /api request, streams included.
 * Failed tokens feed a login guard (per client address and per token id); while it blocks, the
 * answer is 429 with Retry-After and the token is not looked at. The address is the direct peer,
 * except for a loopback peer that sends X-Real-IP: that is the edge carrying the console host
 * (docs/tls.md), which sets the header to the client it saw; without it, everyone reaching the
 * API through the edge would share one address and one attacker could block them all.
 */
const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

export const authenticate = (tokens: Tokens, guard: LoginGuard = createLoginGuard()) =>
  createMiddleware<ApiEnv>(async (c, next) => {
    const header = c.req.header("Authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthorized("missing API token: send Authorization: Bearer <token>");
    // Requests made in-process (app.request) have no socket and share one key.
    const peer = (c.env as PeerAware | undefined)?.requestIP?.(c.req.raw)?.address ?? "in-process";
    const forwarded = c.req.header("x-real-ip");
    const ip = forwarded && LOOPBACK.test(peer) ? forwarded : peer;
    const id = tokenId(match[1]!);
    const credential = id && `token:${id}`;
    const blocked = guard.retryAfterMs(ip, credential);
    if (blocked > 0) {
      const seconds = retryAfterSeconds(blocked);
      c.header("Retry-After", String(seconds));
      throw rateLimited(`too many failed logins: try again in ${seconds} s`);
    }
    let token: ReturnType<Tokens["authenticate"]>;
    try {
      token = tokens.authenticate(match[1]!);
    } catch (error) {
      if (error instanceof BerthError && error.code === "unauthorized") guard.failed(ip, credential);
      throw error;
    }
    if (credential) guard.succeeded(ip, credential);
    const query = new URL(c.req.url).searchParams;
    authorize(token.role, c.req.method, c.req.path, query);
    c.set("token", token);
    // Long answers (log streams) ask again, so a revoked token stops reading.
    c.set("stillAuthorised", () => {
      const now = tokens.current(match[1]!);
      return now !== null && atLeast(now.role, requiredRole(c.req.method, c.req.path, query));
    });
    await next();
  });
