import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { Deployments } from "../../core/deploy/deployments.ts";
import { blockName, environmentName, projectName } from "../../core/names.ts";
import { actorName } from "../../core/people/rights.ts";
import type { ApiEnv } from "../env.ts";
import { valid } from "../validate.ts";

const envParam = z.object({ project: projectName, env: environmentName });
const numberParam = envParam.extend({ number: z.coerce.number().int().positive() });
const idParam = z.object({ id: z.coerce.number().int().positive() });
const releaseNumber = z.number().int().positive();
const promoteBody = z.strictObject({ from: environmentName, blocks: z.array(blockName).max(100).default([]), dryRun: z.boolean().default(false) });
const rollbackBody = z.strictObject({ to: releaseNumber.optional(), withConfigOf: releaseNumber.optional() });

/** Promote, rollback, diff, stop and start: releases moved between and within environments, never rebuilt. */
export const pipelineRoutes = (deployments: Deployments) =>
  new Hono<ApiEnv>()
    .post(
      "/projects/:project/environments/:env/promote",
      describeRoute({ summary: "Deploy into this environment the live images of `from` (no build), with this environment's own config; `dryRun` answers the diff only", tags: ["pipeline"] }),
      valid("param", envParam),
      valid("json", promoteBody),
      async (c) => {
        const { project, env } = c.req.valid("param");
        const { from, blocks, dryRun } = c.req.valid("json");
        const result = await deployments.promote(project, from, env, { blocks, dryRun }, { actor: actorName(c.get("principal")) });
        return c.json(result, result.release ? 202 : 200);
      },
    )
    .post(
      "/projects/:project/environments/:env/rollback",
      describeRoute({ summary: "A new release with release `to`'s images (default: the one before the live one); variables today's or those of `withConfigOf`", tags: ["pipeline"] }),
      valid("param", envParam),
      valid("json", rollbackBody),
      (c) => {
        const { project, env } = c.req.valid("param");
        return c.json(deployments.rollback(project, env, c.req.valid("json"), { actor: actorName(c.get("principal")) }), 202);
      },
    )
    .get(
      "/projects/:project/environments/:env/diff",
      describeRoute({ summary: "What a deploy would change: commits with their subjects, images, variable names, settings, blocks added or removed", tags: ["pipeline"] }),
      valid("param", envParam),
      async (c) => {
        const { project, env } = c.req.valid("param");
        return c.json(await deployments.diff(project, env));
      },
    )
    .post(
      "/projects/:project/environments/:env/stop",
      describeRoute({ summary: "Stop an environment: containers removed, volumes and releases kept; the edge answers 503", tags: ["pipeline"] }),
      valid("param", envParam),
      async (c) => {
        const { project, env } = c.req.valid("param");
        return c.json(await deployments.stop(project, env));
      },
    )
    .post(
      "/projects/:project/environments/:env/start",
      describeRoute({ summary: "Start a stopped environment: a new release of the live release's images, no build (answers at once)", tags: ["pipeline"] }),
      valid("param", envParam),
      (c) => {
        const { project, env } = c.req.valid("param");
        return c.json(deployments.start(project, env, { actor: actorName(c.get("principal")) }), 202);
      },
    )
    .get("/projects/:project/environments/:env/releases/:number", describeRoute({ summary: "Release N of an environment, with its blocks", tags: ["pipeline"] }), valid("param", numberParam), (c) => {
      const { project, env, number } = c.req.valid("param");
      return c.json(deployments.byNumber(project, env, number));
    })
    .get("/releases/:id/log", describeRoute({ summary: "The release's rollout log so far", tags: ["pipeline"] }), valid("param", idParam), (c) =>
      c.json({ lines: deployments.logLines(c.req.valid("param").id) }),
    );
