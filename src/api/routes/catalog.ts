import { actorName } from "../../core/people/rights.ts";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { Services } from "../../core/services.ts";
import { blockName, environmentName, projectName } from "../../core/names.ts";
import type { ApiEnv } from "../env.ts";
import { valid } from "../validate.ts";

const serviceParam = z.object({ project: projectName, env: environmentName, block: blockName });
const restoreBody = z.strictObject({ backup: z.string().regex(/^[0-9]{8}T[0-9]{6}(-[0-9]+)?Z$/, "must be a backup id such as 20261202T030000Z") });

export const catalogRoutes = (catalog: Services["catalog"]) =>
  new Hono<ApiEnv>()
    .get("/catalog", describeRoute({ summary: "The service templates: versions, port, exports, whether they back up", tags: ["catalog"] }), (c) => c.json({ templates: catalog.list() }))
    .post(
      "/projects/:project/environments/:env/services/:block/backups",
      describeRoute({ summary: "Take a backup of a catalog service now, as a job run (answers at once with the queued run)", tags: ["catalog"] }),
      valid("param", serviceParam),
      (c) => {
        const { project, env, block } = c.req.valid("param");
        return c.json(catalog.backups.take(project, env, block, "manual"), 202);
      },
    )
    .get(
      "/projects/:project/environments/:env/services/:block/backups",
      describeRoute({ summary: "A service's backups, newest first: id, size, checksum, file", tags: ["catalog"] }),
      valid("param", serviceParam),
      (c) => {
        const { project, env, block } = c.req.valid("param");
        return c.json({ backups: catalog.backups.list(project, env, block) });
      },
    )
    .post(
      "/projects/:project/environments/:env/services/:block/restore",
      describeRoute({ summary: "Restore a backup into the running service; the blocks reading it are stopped meanwhile (answers when done)", tags: ["catalog"] }),
      valid("param", serviceParam),
      valid("json", restoreBody),
      async (c) => {
        const { project, env, block } = c.req.valid("param");
        return c.json(await catalog.backups.restore(project, env, block, c.req.valid("json").backup));
      },
    )
    .post(
      "/projects/:project/environments/:env/services/:block/rotate-password",
      describeRoute({ summary: "A new generated password for the service; one release restarts it and the blocks reading it", tags: ["catalog"] }),
      valid("param", serviceParam),
      async (c) => {
        const { project, env, block } = c.req.valid("param");
        return c.json(await catalog.rotatePassword(project, env, block, actorName(c.get("principal"))), 202);
      },
    );
