import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { BerthError } from "../core/errors.ts";
import { projectName } from "../core/names.ts";
import type { Audit } from "../core/people/audit.ts";
import type { Webhooks } from "../core/webhooks/webhooks.ts";
import { clientIp } from "./client-ip.ts";
import { authorizePublic } from "./policy.ts";
import { valid } from "./validate.ts";

/** Push payloads list at most about 20 commits; anything much larger is not one. */
const MAX_HOOK_BYTES = 2 * 1024 * 1024;

/**
 * Requests from git hosts, outside /api: no token, the project's webhook signature is the proof.
 * Which routes may go without a token is decided in policy.ts like every other rule.
 */
export const hookRoutes = (webhooks: Webhooks, audit?: Audit) =>
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
        const { project } = c.req.valid("param");
        const entry = { user: null, via: "webhook", ip: clientIp(c), method: "POST", route: "/hooks/git/:project", project, environment: null, action: "push" };
        let outcome: ReturnType<Webhooks["receive"]>;
        try {
          outcome = webhooks.receive(project, (name) => c.req.header(name), body);
        } catch (error) {
          // Refused deliveries are worth seeing too: a wrong secret, a project that is gone.
          if (error instanceof BerthError) audit?.record({ ...entry, outcome: error.code, status: error.code === "unauthorized" ? 401 : error.code === "not_found" ? 404 : 400 });
          throw error;
        }
        audit?.record({ ...entry, detail: JSON.stringify(outcome).slice(0, 500), outcome: "ok", status: 202 });
        return c.json(outcome, 202);
      },
    );
