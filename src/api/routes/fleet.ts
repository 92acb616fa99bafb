import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { Services } from "../../core/services.ts";
import { environmentName, projectName } from "../../core/names.ts";
import type { ApiEnv } from "../env.ts";
import { valid } from "../validate.ts";

const envParam = z.object({ project: projectName, env: environmentName });
const renderQuery = z.object({ release: z.coerce.number({ error: "expected a release number" }).int().positive().optional() });

export const fleetRoutes = (fleet: Services["fleet"]) =>
  new Hono<ApiEnv>().get(
    "/projects/:project/environments/:env/fleet/manifests",
    describeRoute({ summary: "The Kubernetes objects fleet mode would apply for a release (default: the live one); secret values masked", tags: ["fleet"] }),
    valid("param", envParam),
    valid("query", renderQuery),
    (c) => {
      const { project, env } = c.req.valid("param");
      return c.json(fleet.render(project, env, c.req.valid("query").release));
    },
  );
