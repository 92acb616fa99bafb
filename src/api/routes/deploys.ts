import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { Deployments } from "../../core/deploy/deployments.ts";
import type { Metrics } from "../../core/metrics/metrics.ts";
import { blockName, environmentName, projectName } from "../../core/names.ts";
import { actorName } from "../../core/people/rights.ts";
import type { ApiEnv } from "../env.ts";
import { followAsEvents, statusEvents } from "../sse.ts";
import { valid } from "../validate.ts";

const envParam = z.object({ project: projectName, env: environmentName });
const idParam = z.object({ id: z.coerce.number().int().positive() });

export const deployRoutes = (deployments: Deployments, metrics: Pick<Metrics, "warnings">) => {
  /** What GET …/status answers, and each event of its stream. */
  const statusOf = async (project: string, env: string) => ({ ...(await deployments.status(project, env)), warnings: metrics.warnings() });
  return new Hono<ApiEnv>()
    .post(
      "/projects/:project/environments/:env/deploys",
      describeRoute({ summary: "Build what changed, create a release and roll it out (answers at once)", tags: ["deploys"] }),
      valid("param", envParam),
      valid("query", z.object({ allowMajor: z.enum(["true", "false"]).optional() })),
      (c) => {
        const { project, env } = c.req.valid("param");
        const allowMajor = c.req.valid("query").allowMajor === "true";
        return c.json(deployments.deploy(project, env, { actor: actorName(c.get("principal")) }, { allowMajor }), 202);
      },
    )
    .post(
      "/projects/:project/environments/:env/restart",
      describeRoute({ summary: "Rolling restart of some blocks (all when none is named) with the live release's images; answers at once", tags: ["deploys"] }),
      valid("param", envParam),
      valid("json", z.object({ blocks: z.array(blockName).max(100).default([]) })),
      (c) => {
        const { project, env } = c.req.valid("param");
        return c.json(deployments.redeployLive(project, env, { restart: c.req.valid("json").blocks }, { actor: actorName(c.get("principal")) }), 202);
      },
    )
    .post(
      "/projects/:project/environments/:env/scale",
      describeRoute({ summary: "Set replica counts (kept in the environment's overrides) and roll them out from the live images; answers at once", tags: ["deploys"] }),
      valid("param", envParam),
      valid("json", z.object({ replicas: z.record(blockName, z.number().int().min(0).max(100)) })),
      (c) => {
        const { project, env } = c.req.valid("param");
        return c.json(deployments.scale(project, env, c.req.valid("json").replicas, { actor: actorName(c.get("principal")) }), 202);
      },
    )
    .get("/projects/:project/environments/:env/status", describeRoute({ summary: "Each block: kind, state, replicas, image, URL; and the machine's warnings (disks filling up)", tags: ["deploys"] }), valid("param", envParam), async (c) => {
      const { project, env } = c.req.valid("param");
      return c.json(await statusOf(project, env));
    })
    .get(
      "/projects/:project/environments/:env/status/stream",
      describeRoute({ summary: "Server-sent events: `status` (as GET …/status answers) now, then again each time it changes: releases, replicas started or dead, health", tags: ["deploys"] }),
      valid("param", envParam),
      async (c) => {
        const { project, env } = c.req.valid("param");
        const read = async () => JSON.stringify(await statusOf(project, env));
        // Unknown environments are a 404 before the stream opens.
        const first = await read();
        return statusEvents(c, first, read, (onChange) => deployments.watchEnvironment(project, env, onChange));
      },
    )
    .get("/projects/:project/environments/:env/releases", describeRoute({ summary: "Releases, newest first", tags: ["deploys"] }), valid("param", envParam), (c) => {
      const { project, env } = c.req.valid("param");
      const live = deployments.current(project, env)?.number ?? null;
      return c.json({ releases: deployments.list(project, env).map((r) => ({ ...r, live: r.number === live })), live });
    })
    .get("/releases/:id", describeRoute({ summary: "One release", tags: ["deploys"] }), valid("param", idParam), (c) => c.json(deployments.get(c.req.valid("param").id)))
    .get(
      "/releases/:id/log/stream",
      describeRoute({ summary: "Server-sent events: `log` per line, then one `end` with the release", tags: ["deploys"] }),
      valid("param", idParam),
      (c) => {
        const { id } = c.req.valid("param");
        deployments.get(id);
        return followAsEvents(c, (onLine, onDone) => deployments.follow(id, onLine, onDone), () => deployments.get(id));
      },
    );
};
