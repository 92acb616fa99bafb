import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { forbidden } from "../../core/errors.ts";
import { canSee, installRole, roleOn, type Principal } from "../../core/people/rights.ts";
import type { Projects } from "../../core/projects.ts";
import { atLeast } from "../../core/roles.ts";
import { projectName } from "../../core/names.ts";
import type { ApiEnv } from "../env.ts";
import { valid } from "../validate.ts";

export const projectParam = z.object({ project: projectName });

export const purgeQuery = z.object({ purgeVolumes: z.enum(["true", "false"]).optional() });

const applyBody = z.strictObject({
  file: z.string().describe("berth.yaml text"),
  dryRun: z.boolean().optional(),
  prune: z.boolean().optional(),
});

/** Changing a project needs member on it; making a new one, member on the install. An unseen project reads as a new one. */
const mayApply = (principal: Principal, project: string, exists: boolean) => {
  const role = exists && canSee(principal, project) ? roleOn(principal, project) : installRole(principal);
  if (!atLeast(role, "member")) throw forbidden(`applying project "${project}" needs the member role ${exists && canSee(principal, project) ? "on it" : "on the install to create a project"}; you have ${role}`);
};

export const projectRoutes = (projects: Projects) =>
  new Hono<ApiEnv>()
    .get("/", describeRoute({ summary: "List projects", tags: ["projects"] }), (c) =>
      c.json({ projects: projects.list().filter((p) => canSee(c.get("principal"), p.name)) }),
    )
    .post(
      "/apply",
      describeRoute({ summary: "Create or update a project from berth.yaml; reports what changes", tags: ["projects"] }),
      valid("json", applyBody),
      async (c) => {
        const { file, ...options } = c.req.valid("json");
        const authorize = (project: string, exists: boolean) => {
          c.set("project", project);
          mayApply(c.get("principal"), project, exists);
        };
        return c.json(await projects.apply(file, { ...options, authorize }));
      },
    )
    .get("/:project", describeRoute({ summary: "A project's definition", tags: ["projects"] }), valid("param", projectParam), (c) =>
      c.json(projects.get(c.req.valid("param").project)),
    )
    .get(
      "/:project/export",
      describeRoute({ summary: "The project as berth.yaml", tags: ["projects"] }),
      valid("param", projectParam),
      (c) => c.json({ yaml: projects.exportYaml(c.req.valid("param").project) }),
    )
    .delete(
      "/:project",
      describeRoute({ summary: "Delete a project: stops what runs; volumes go only with purgeVolumes=true", tags: ["projects"] }),
      valid("param", projectParam),
      valid("query", purgeQuery),
      async (c) => {
        await projects.delete(c.req.valid("param").project, c.req.valid("query").purgeVolumes === "true");
        return c.body(null, 204);
      },
    );
