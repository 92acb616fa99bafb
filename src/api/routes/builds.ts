import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { Builds } from "../../core/builds/builds.ts";
import type { GitCredentialService } from "../../core/builds/credentials.ts";
import { gitRef } from "../../core/project-file/fields.ts";
import { blockName, environmentName, projectName } from "../../core/names.ts";
import type { ApiEnv } from "../env.ts";
import { followAsEvents } from "../sse.ts";
import { valid } from "../validate.ts";
import { projectParam } from "./projects.ts";

const blockParam = z.object({ project: projectName, block: blockName });
const idParam = z.object({ id: z.coerce.number().int().positive() });
const startBody = z.strictObject({ environment: environmentName.optional(), ref: gitRef.optional() });

export const buildRoutes = (builds: Builds, credentials: GitCredentialService) =>
  new Hono<ApiEnv>()
    .post(
      "/projects/:project/blocks/:block/builds",
      describeRoute({ summary: "Queue a build of a block (default: its first environment's config)", tags: ["builds"] }),
      valid("param", blockParam),
      valid("json", startBody),
      (c) => {
        const { project, block } = c.req.valid("param");
        const body = c.req.valid("json");
        return c.json(builds.start({ project, block, environment: body.environment, ref: body.ref }), 202);
      },
    )
    .get("/projects/:project/builds", describeRoute({ summary: "Recent builds of a project, newest first", tags: ["builds"] }), valid("param", projectParam), (c) =>
      c.json({ builds: builds.list(c.req.valid("param").project) }),
    )
    .get("/builds/:id", describeRoute({ summary: "One build", tags: ["builds"] }), valid("param", idParam), (c) => c.json(builds.get(c.req.valid("param").id)))
    .post("/builds/:id/cancel", describeRoute({ summary: "Cancel a queued or running build", tags: ["builds"] }), valid("param", idParam), (c) =>
      c.json(builds.cancel(c.req.valid("param").id)),
    )
    .get("/builds/:id/log", describeRoute({ summary: "The build's output so far", tags: ["builds"] }), valid("param", idParam), (c) =>
      c.json({ lines: builds.logLines(c.req.valid("param").id) }),
    )
    .get(
      "/builds/:id/log/stream",
      describeRoute({ summary: "Server-sent events: `log` per line, then one `end` with the build", tags: ["builds"] }),
      valid("param", idParam),
      (c) => {
        const { id } = c.req.valid("param");
        builds.get(id);
        return followAsEvents(c, (onLine, onDone) => builds.follow(id, onLine, onDone), () => builds.get(id));
      },
    )
    .get(
      "/projects/:project/blocks/:block/deploy-key",
      describeRoute({ summary: "The block's SSH deploy key (public half); 404 until one is created with POST", tags: ["builds"] }),
      valid("param", blockParam),
      (c) => {
        const { project, block } = c.req.valid("param");
        return c.json({ publicKey: credentials.deployKey(project, block) });
      },
    )
    .post(
      "/projects/:project/blocks/:block/deploy-key",
      describeRoute({ summary: "Create the block's deploy key if it has none (rotate=true: replace it); returns the public half", tags: ["builds"] }),
      valid("param", blockParam),
      valid("query", z.object({ rotate: z.enum(["true", "false"]).optional() })),
      async (c) => {
        const { project, block } = c.req.valid("param");
        return c.json({ publicKey: await credentials.createDeployKey(project, block, c.req.valid("query").rotate === "true") });
      },
    )
    .put(
      "/projects/:project/blocks/:block/git-token",
      describeRoute({ summary: "Set (or with null, remove) the HTTPS token used to fetch the block's repository", tags: ["builds"] }),
      valid("param", blockParam),
      valid("json", z.strictObject({ token: z.string().min(1).max(4096).regex(/^[\x21-\x7e]+$/, "a token has no spaces or control characters").nullable() })),
      (c) => {
        const { project, block } = c.req.valid("param");
        credentials.setHttpsToken(project, block, c.req.valid("json").token);
        return c.body(null, 204);
      },
    );
