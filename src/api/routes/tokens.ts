import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { ROLES } from "../../core/roles.ts";
import type { Tokens } from "../../core/tokens.ts";
import type { ApiEnv } from "../env.ts";
import { valid } from "../validate.ts";

const createBody = z.strictObject({
  name: z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, "letters, digits, space, '.', '_' and '-'"),
  role: z.enum(ROLES).default("member"),
});

export const tokenRoutes = (tokens: Tokens) =>
  new Hono<ApiEnv>()
    .get("/", describeRoute({ summary: "List API tokens (never their values)", tags: ["tokens"] }), (c) => c.json({ tokens: tokens.list() }))
    .post("/", describeRoute({ summary: "Create an API token; its value is shown once", tags: ["tokens"] }), valid("json", createBody), (c) => {
      const { name, role } = c.req.valid("json");
      const { token, record } = tokens.create(c.get("token"), name, role);
      return c.json({ token, ...record }, 201);
    })
    .delete("/:id", describeRoute({ summary: "Revoke an API token", tags: ["tokens"] }), valid("param", z.object({ id: z.string().regex(/^[0-9a-f]{12}$/, "a token id") })), (c) => {
      tokens.revoke(c.get("token"), c.req.valid("param").id);
      return c.body(null, 204);
    });
