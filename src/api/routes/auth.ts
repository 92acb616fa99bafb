import { projectName } from "../../core/names.ts";
import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { routePath } from "hono/route";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { BerthError, rateLimited } from "../../core/errors.ts";
import type { Audit } from "../../core/people/audit.ts";
import { bestRole } from "../../core/people/rights.ts";
import type { Sessions } from "../../core/people/sessions.ts";
import type { Users } from "../../core/people/users.ts";
import type { Tokens } from "../../core/tokens.ts";
import { retryAfterSeconds, type LoginGuard } from "../../lib/throttle.ts";
import { sessionCookieName } from "../auth.ts";
import { cameOverHttps, clientIp } from "../client-ip.ts";
import { authorizePublic } from "../policy.ts";
import { valid } from "../validate.ts";

/** How long a token from `berth login --user` works; `berth token create --expires` makes others. */
const PASSWORD_TOKEN_DAYS = 90;
const credentials = z.strictObject({ user: z.string().min(1).max(64), password: z.string().min(1).max(1024) });
const invitationParam = z.object({ token: z.string().min(1).max(128) });

export interface AuthRouteDeps {
  users: Users;
  sessions: Sessions;
  tokens: Tokens;
  audit: Audit;
  /** Password guesses: 10 failures per user name and per address, then a doubling block. */
  guard: LoginGuard;
}

/**
 * Sign-in for people, outside /api: a password for a console session or a CLI token, and the
 * invitation links new users set their password with. Each route's proof is named in policy.ts.
 */
export function authRoutes(deps: AuthRouteDeps) {
  const record = (c: Context, user: string | null, via: string, action: string, outcome: string, status: number) =>
    deps.audit.record({ user, via, ip: clientIp(c), method: c.req.method, route: routePath(c), project: null, environment: null, action, outcome, status });

  const startSession = (c: Context, userId: number) => {
    const value = deps.sessions.start(userId, clientIp(c));
    setCookie(c, sessionCookieName(c), value, { httpOnly: true, sameSite: "Strict", path: "/", secure: cameOverHttps(c) });
  };

  /** The user whose password this is, through the guard: 429 while blocked, whatever the password. */
  const checkPassword = async (c: Context, typed: string, password: string, action: string) => {
    const ip = clientIp(c);
    // Whatever was typed as a name reaches the audit log only when it could be one: no control
    // characters for an admin's terminal, no password typed into the wrong field.
    const user = projectName.safeParse(typed).success ? typed : null;
    const credential = `user:${typed}`;
    const blocked = deps.guard.retryAfterMs(ip, credential);
    if (blocked > 0) {
      const seconds = retryAfterSeconds(blocked);
      c.header("Retry-After", String(seconds));
      record(c, user, "password", action, "rate_limited", 429);
      throw rateLimited(`too many failed sign-ins: try again in ${seconds} s`);
    }
    try {
      const found = await deps.users.verifyLogin(typed, password);
      deps.guard.succeeded(ip, credential);
      return found;
    } catch (error) {
      if (error instanceof BerthError && error.code === "unauthorized") {
        deps.guard.failed(ip, credential);
        record(c, user, "password", action, "unauthorized", 401);
      }
      throw error;
    }
  };

  return new Hono()
    .use(async (c, next) => {
      authorizePublic(c.req.method, c.req.path);
      await next();
    })
    .post(
      "/session",
      describeRoute({ summary: "Sign in to the console: sets the berth_session cookie (HttpOnly, SameSite=Strict); 429 with Retry-After after 10 failures", tags: ["auth"], security: [] }),
      valid("json", credentials),
      async (c) => {
        const { user, password } = c.req.valid("json");
        const found = await checkPassword(c, user, password, "sign in");
        startSession(c, found.id);
        record(c, found.name, "password", "sign in", "ok", 200);
        return c.json({ user: found.name, role: found.role });
      },
    )
    .delete("/session", describeRoute({ summary: "Sign out: ends the session and clears its cookie", tags: ["auth"], security: [] }), (c) => {
      const value = getCookie(c, sessionCookieName(c));
      if (value) deps.sessions.end(value);
      deleteCookie(c, sessionCookieName(c), { path: "/", secure: cameOverHttps(c) });
      return c.body(null, 204);
    })
    .post(
      "/token",
      describeRoute({ summary: "Trade a user's name and password for an API token with the user's rights (berth login --user)", tags: ["auth"], security: [] }),
      valid("json", credentials.extend({ name: z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, "letters, digits, space, '.', '_' and '-'").optional() })),
      async (c) => {
        const { user, password, name } = c.req.valid("json");
        const found = await checkPassword(c, user, password, "token create");
        const principal = deps.sessions.forUser(found.id)!;
        const role = bestRole(principal);
        if (role === "none") {
          record(c, found.name, "password", "token create", "forbidden", 403);
          throw new BerthError("forbidden", `"${found.name}" has no role on the install or any project yet`);
        }
        // A password traded for a token gives one that ends, as a session does (later, for scripts).
        const expiresAt = new Date(Date.now() + PASSWORD_TOKEN_DAYS * 86_400_000).toISOString();
        const { token } = deps.tokens.create(principal, { name: name ?? "cli", role, expiresAt });
        record(c, found.name, "password", "token create", "ok", 200);
        return c.json({ token, user: found.name, role: found.role });
      },
    )
    .get(
      "/invitations/:token",
      describeRoute({ summary: "Who an invitation link is for and until when; 404 when unknown, used or expired", tags: ["auth"], security: [] }),
      valid("param", invitationParam),
      (c) => c.json(deps.users.invitation(c.req.valid("param").token)),
    )
    .post(
      "/invitations/:token",
      describeRoute({ summary: "Set the invited user's password (the link is then used up) and sign them in", tags: ["auth"], security: [] }),
      valid("param", invitationParam),
      valid("json", z.strictObject({ password: z.string().min(1).max(1024) })),
      async (c) => {
        const user = await deps.users.acceptInvitation(c.req.valid("param").token, c.req.valid("json").password);
        startSession(c, user.id);
        record(c, user.name, "invitation", "password set", "ok", 200);
        return c.json({ user: user.name });
      },
    );
}
