import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { Services } from "../../core/services.ts";
import { blockName, environmentName, envName, projectName } from "../../core/names.ts";
import type { ApiEnv } from "../env.ts";
import { followAsEvents } from "../sse.ts";
import { valid } from "../validate.ts";

const envParam = z.object({ project: projectName, env: environmentName });
const jobParam = envParam.extend({ job: blockName });
const idParam = z.object({ id: z.coerce.number().int().positive() });
const runBody = z.strictObject({ env: z.record(envName, z.string().max(64 * 1024)).optional() });

export const jobRoutes = (jobs: Services["jobs"]) =>
  new Hono<ApiEnv>()
    .get(
      "/projects/:project/environments/:env/jobs",
      describeRoute({ summary: "Each job of an environment: trigger or schedule, next scheduled run, last run", tags: ["jobs"] }),
      valid("param", envParam),
      (c) => {
        const { project, env } = c.req.valid("param");
        return c.json({ jobs: jobs.overview(project, env) });
      },
    )
    .post(
      "/projects/:project/environments/:env/jobs/:job/runs",
      describeRoute({ summary: "Run a job now with the live release's image (answers at once with the queued run)", tags: ["jobs"] }),
      valid("param", jobParam),
      valid("json", runBody),
      (c) => {
        const { project, env, job } = c.req.valid("param");
        return c.json(jobs.start(project, env, job, { trigger: "manual", env: c.req.valid("json").env }), 202);
      },
    )
    .get(
      "/projects/:project/environments/:env/job-runs",
      describeRoute({ summary: "Job runs of an environment (one job's with ?job=), newest first", tags: ["jobs"] }),
      valid("param", envParam),
      valid("query", z.object({ job: blockName.optional() })),
      (c) => {
        const { project, env } = c.req.valid("param");
        return c.json({ runs: jobs.list(project, env, c.req.valid("query").job) });
      },
    )
    .get("/job-runs/:id", describeRoute({ summary: "One job run", tags: ["jobs"] }), valid("param", idParam), (c) => c.json(jobs.get(c.req.valid("param").id)))
    .post("/job-runs/:id/cancel", describeRoute({ summary: "Cancel a queued or running job run (its container is killed)", tags: ["jobs"] }), valid("param", idParam), (c) =>
      c.json(jobs.cancel(c.req.valid("param").id)),
    )
    .get("/job-runs/:id/log", describeRoute({ summary: "The run's output so far", tags: ["jobs"] }), valid("param", idParam), (c) =>
      c.json({ lines: jobs.logLines(c.req.valid("param").id) }),
    )
    .get(
      "/job-runs/:id/log/stream",
      describeRoute({ summary: "Server-sent events: `log` per output line, then one `end` with the run", tags: ["jobs"] }),
      valid("param", idParam),
      (c) => {
        const { id } = c.req.valid("param");
        jobs.get(id);
        return followAsEvents(c, (onLine, onDone) => jobs.follow(id, onLine, onDone), () => jobs.get(id));
      },
    );
