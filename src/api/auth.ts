import { createMiddleware } from "hono/factory";
import { unauthorized } from "../core/errors.ts";
import { atLeast } from "../core/roles.ts";
import type { Tokens } from "../core/tokens.ts";
import type { ApiEnv } from "./env.ts";
import { authorize, requiredRole } from "./policy.ts";

/** Authenticates the bearer token, then authorises the route: every /api request, streams included. */
export const authenticate = (tokens: Tokens) =>
  createMiddleware<ApiEnv>(async (c, next) => {
    const header = c.req.header("Authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthorized("missing API token: send Authorization: Bearer <token>");
    const token = tokens.authenticate(match[1]!);
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
