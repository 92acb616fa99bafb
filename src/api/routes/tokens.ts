import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { parseSince } from "../../core/metrics/retention.ts";
import { invalid } from "../../core/errors.ts";
import { projectName } from "../../core/names.ts";
import { ROLES } from "../../core/roles.ts";
import type { Users } from "../../core/people/users.ts";
import type { Tokens } from "../../core/tokens.ts";
import type { ApiEnv } from "../env.ts";
import { valid } from "../validate.ts";
import { currentPassword } from "./users.ts";

/** "30d", "12h", "90m": how long from now; the longest is about ten years. */
const expiresIn = z.string().regex(/^[1-9][0-9]{0,5}(m|h|d)$/, "expected a duration such as 90m, 12h or 30d");

const createBody = z.strictObject({
  name: z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, "letters, digits, space, '.', '_' and '-'"),
  role: z.enum(ROLES).default("member"),
  project: projectName.optional(),
  expiresIn: expiresIn.optional(),
  currentPassword: currentPassword.optional(),
});

const untilFrom = (text: string) => {
  // The schema has checked the form (digits, then m, h or d).
  const ms = parseSince(text)! * 1000;
  if (ms > 3650 * 86_400_000) throw invalid("a token expires within ten years at most");
  return new Date(Date.now() + ms).toISOString();
};

/** Every caller manages their own tokens; install admins see and revoke others' too (core/tokens.ts). */
export const tokenRoutes = (tokens: Tokens, users: Pick<Users, "confirmPresence">) =>
  new Hono<ApiEnv>()
    .get("/", describeRoute({ summary: "List API tokens (never their values): one's own; an install admin's lists everyone's", tags: ["tokens"] }), (c) =>
      c.json({ tokens: tokens.list(c.get("principal")) }),
    )
    .post(
      "/",
      describeRoute({ summary: "Create an API token for oneself, at most one's own rights, optionally for one project and until a time; its value is shown once. Through a console session, the caller's current password too", tags: ["tokens"] }),
      valid("json", createBody),
      async (c) => {
        const { name, role, project, expiresIn: ttl, currentPassword: confirmation } = c.req.valid("json");
        await users.confirmPresence(c.get("principal"), confirmation);
        if (project) c.set("project", project);
        c.set("auditDetail", `token "${name}" ${role}${ttl ? ` for ${ttl}` : ""}`);
        const { token, record } = tokens.create(c.get("principal"), { name, role, project, expiresAt: ttl ? untilFrom(ttl) : null });
        return c.json({ token, ...record }, 201);
      },
    )
    .delete("/:id", describeRoute({ summary: "Revoke an API token", tags: ["tokens"] }), valid("param", z.object({ id: z.string().regex(/^[0-9a-f]{12}$/, "a token id") })), (c) => {
      tokens.revoke(c.get("principal"), c.req.valid("param").id);
      return c.body(null, 204);
    });
