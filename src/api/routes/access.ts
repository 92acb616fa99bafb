import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { Access } from "../../core/access.ts";
import { blockName, environmentName, projectName } from "../../core/names.ts";
import type { ApiEnv } from "../env.ts";
import { valid } from "../validate.ts";

const envParam = z.object({ project: projectName, env: environmentName });
const blockParam = envParam.extend({ block: blockName });
const username = z.string().min(1).max(64).regex(/^[A-Za-z0-9._@-]+$/, "letters, digits and . _ @ -");

export const accessRoutes = (access: Access) =>
  new Hono<ApiEnv>()
    .get("/projects/:project/environments/:env/blocks/:block/passwords", describeRoute({ summary: "Users allowed through a website's password", tags: ["access"] }), valid("param", blockParam), (c) => {
      const p = c.req.valid("param");
      return c.json({ users: access.passwordUsers({ project: p.project, environment: p.env, block: p.block }) });
    })
    .put(
      "/projects/:project/environments/:env/blocks/:block/passwords/:username",
      describeRoute({ summary: "Set a website user's password (stored hashed)", tags: ["access"] }),
      valid("param", blockParam.extend({ username })),
      valid("json", z.strictObject({ password: z.string().max(1024) })),
      async (c) => {
        const p = c.req.valid("param");
        await access.setPassword({ project: p.project, environment: p.env, block: p.block }, p.username, c.req.valid("json").password);
        return c.body(null, 204);
      },
    )
    .delete("/projects/:project/environments/:env/blocks/:block/passwords/:username", describeRoute({ summary: "Remove a website user", tags: ["access"] }), valid("param", blockParam.extend({ username })), (c) => {
      const p = c.req.valid("param");
      access.removePassword({ project: p.project, environment: p.env, block: p.block }, p.username);
      return c.body(null, 204);
    })
    .get("/projects/:project/environments/:env/gateway/clients", describeRoute({ summary: "The environment's gateway clients (never secrets)", tags: ["access"] }), valid("param", envParam), (c) => {
      const { project, env } = c.req.valid("param");
      return c.json({ clients: access.listClients(project, env) });
    })
    .post(
      "/projects/:project/environments/:env/gateway/clients",
      describeRoute({ summary: "Create a gateway client; its secret is returned once", tags: ["access"] }),
      valid("param", envParam),
      valid("json", z.strictObject({ name: z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, "letters, digits, space, '.', '_' and '-'").default("client") })),
      (c) => {
        const { project, env } = c.req.valid("param");
        return c.json(access.createClient(project, env, c.req.valid("json").name), 201);
      },
    )
    .delete(
      "/projects/:project/environments/:env/gateway/clients/:clientId",
      describeRoute({ summary: "Revoke a gateway client (tokens it holds stop working when they expire)", tags: ["access"] }),
      valid("param", envParam.extend({ clientId: z.string().regex(/^gc_[0-9a-f]{16}$/, "a client id such as gc_0123456789abcdef") })),
      (c) => {
        const { project, env, clientId } = c.req.valid("param");
        access.revokeClient(project, env, clientId);
        return c.body(null, 204);
      },
    );
