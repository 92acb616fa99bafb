import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { projectName } from "../../core/names.ts";
import type { Webhooks } from "../../core/webhooks/webhooks.ts";
import type { ApiEnv } from "../env.ts";
import { valid } from "../validate.ts";

const projectParam = z.object({ project: projectName });

/** The webhook secret can start deploys of every environment that follows a branch: admin only (see policy.ts). */
export const webhookRoutes = (webhooks: Webhooks) =>
  new Hono<ApiEnv>()
    .get(
      "/projects/:project/webhook",
      describeRoute({ summary: "The project's git webhook URL and secret; 404 until one is made", tags: ["webhooks"] }),
      valid("param", projectParam),
      (c) => c.json(webhooks.show(c.req.valid("param").project, new URL(c.req.url).origin)),
    )
    .post(
      "/projects/:project/webhook",
      describeRoute({ summary: "Makes the project's webhook secret unless it has one; answers the URL and secret", tags: ["webhooks"] }),
      valid("param", projectParam),
      (c) => c.json(webhooks.create(c.req.valid("param").project, new URL(c.req.url).origin)),
    )
    .post(
      "/projects/:project/webhook/rotate",
      describeRoute({ summary: "A new webhook secret; the old one stops working at once", tags: ["webhooks"] }),
      valid("param", projectParam),
      (c) => c.json(webhooks.rotate(c.req.valid("param").project, new URL(c.req.url).origin)),
    );
