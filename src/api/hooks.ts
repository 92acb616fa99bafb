import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { BerthError } from "../core/errors.ts";
import { projectName } from "../core/names.ts";
import type { Webhooks } from "../core/webhooks/webhooks.ts";
import { authorizePublic } from "./policy.ts";
import { valid } from "./validate.ts";

/** Push payloads list at most about 20 commits; anything much larger is not one. */
const MAX_HOOK_BYTES = 2 * 1024 * 1024;

/**
 * Requests from git hosts, outside /api: no token, the project's webhook signature is the proof.
 * Which routes may go without a token is decided in policy.ts like every other rule.
 */
export const hookRoutes = (webhooks: Webhooks) =>
  new Hono()
    .use(async (c, next) => {
      authorizePublic(c.req.method, c.req.path);
      await next();
    })
    .use(bodyLimit({ maxSize: MAX_HOOK_BYTES, onError: () => { throw new BerthError("too_large", "webhook body is larger than 2 MB"); } }))
    .post(
      "/git/:project",
      describeRoute({
        summary: "A git host's push webhook (GitHub, Gitea/Forgejo, GitLab, Bitbucket): deploys the environments following the pushed branch",
        description: "No bearer token: the request is signed with the project's webhook secret (`berth webhook show`). Answers 202 with what was started, or with `ignored`.",
        tags: ["webhooks"],
        security: [],
      }),
      valid("param", z.object({ project: projectName })),
      async (c) => {
        const body = new Uint8Array(await c.req.arrayBuffer());
        const outcome = webhooks.receive(c.req.valid("param").project, (name) => c.req.header(name), body);
        return c.json(outcome, 202);
      },
    );
