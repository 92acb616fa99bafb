import { createMiddleware } from "hono/factory";
import { unauthorized } from "../core/errors.ts";
import type { Tokens } from "../core/tokens.ts";
import type { ApiEnv } from "./env.ts";
import { authorize } from "./policy.ts";

/** Authenticates the bearer token, then authorises the route: every /api request, streams included. */
export const authenticate = (tokens: Tokens) =>
  createMiddleware<ApiEnv>(async (c, next) => {
    const header = c.req.header("Authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthorized("missing API token: send Authorization: Bearer <token>");
    const token = tokens.authenticate(match[1]!);
    authorize(token.role, c.req.method, c.req.path);
    c.set("token", token);
    await next();
  });
