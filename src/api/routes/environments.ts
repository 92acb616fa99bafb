import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { Environments } from "../../core/environments.ts";
import type { Projects } from "../../core/projects.ts";
import { environmentName, projectName } from "../../core/names.ts";
import type { ApiEnv } from "../env.ts";
import { valid } from "../validate.ts";
import { projectParam, purgeQuery } from "./projects.ts";

const envParam = z.object({ project: projectName, env: environmentName });
const createBody = z.strictObject({ name: environmentName, from: environmentName.optional() });

export const environmentRoutes = (environments: Environments, projects: Projects) =>
  new Hono<ApiEnv>()
    .get("/:project/environments", describeRoute({ summary: "List environments", tags: ["environments"] }), valid("param", projectParam), (c) =>
      c.json({ environments: environments.list(c.req.valid("param").project) }),
    )
    .post(
      "/:project/environments",
      describeRoute({ summary: "Create an environment, empty or cloned with `from`", tags: ["environments"] }),
      valid("param", projectParam),
      valid("json", createBody),
      (c) => {
        const { name, from } = c.req.valid("json");
        const { domainsNotCopied } = environments.create(c.req.valid("param").project, name, from);
        return c.json({ name, domainsNotCopied }, 201);
      },
    )
    .delete("/:project/environments/:env", describeRoute({ summary: "Delete an environment: stops what runs; volumes go only with purgeVolumes=true", tags: ["environments"] }), valid("param", envParam), valid("query", purgeQuery), async (c) => {
      const { project, env } = c.req.valid("param");
      await environments.delete(project, env, c.req.valid("query").purgeVolumes === "true");
      return c.body(null, 204);
    })
    .get("/:project/blocks", describeRoute({ summary: "List blocks", tags: ["blocks"] }), valid("param", projectParam), (c) => {
      const file = projects.get(c.req.valid("param").project);
      return c.json({ blocks: Object.entries(file.blocks).map(([name, spec]) => ({ name, ...spec })) });
    });
