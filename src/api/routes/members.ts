import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { Members } from "../../core/people/members.ts";
import { ROLES } from "../../core/roles.ts";
import type { ApiEnv } from "../env.ts";
import { valid } from "../validate.ts";
import { projectParam } from "./projects.ts";

const memberParam = projectParam.extend({ user: z.string().min(1).max(64) });
/** A grant adds to a global role; owner stays install-wide. */
const GRANTABLE = ROLES.filter((r) => r !== "owner") as ["viewer", "member", "admin"];

export const memberRoutes = (members: Members) =>
  new Hono<ApiEnv>()
    .get("/:project/members", describeRoute({ summary: "Users granted a role on the project", tags: ["users"] }), valid("param", projectParam), (c) =>
      c.json({ members: members.list(c.req.valid("param").project) }),
    )
    .put(
      "/:project/members/:user",
      describeRoute({ summary: "Grant a user a role on the project (viewer, member or admin)", tags: ["users"] }),
      valid("param", memberParam),
      valid("json", z.strictObject({ role: z.enum(GRANTABLE) })),
      (c) => {
        const { project, user } = c.req.valid("param");
        const { role } = c.req.valid("json");
        c.set("auditDetail", `user ${user} role ${role}`);
        return c.json(members.set(c.get("principal"), project, user, role));
      },
    )
    .delete("/:project/members/:user", describeRoute({ summary: "Take away a user's grant on the project", tags: ["users"] }), valid("param", memberParam), (c) => {
      const { project, user } = c.req.valid("param");
      c.set("auditDetail", `user ${user}`);
      members.remove(c.get("principal"), project, user);
      return c.body(null, 204);
    });
