import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { parseSince, TIERS } from "../../core/metrics/retention.ts";
import type { Metrics } from "../../core/metrics/metrics.ts";
import { blockName, environmentName, projectName } from "../../core/names.ts";
import type { ApiEnv } from "../env.ts";
import { valid } from "../validate.ts";

const envParam = z.object({ project: projectName, env: environmentName });
const blockParam = envParam.extend({ block: blockName });
const longest = TIERS[2].keepSeconds;
const since = z
  .string()
  .default("1h")
  .refine((v) => parseSince(v) !== null, "expected a duration such as 90s, 30m, 1h or 7d")
  .refine((v) => (parseSince(v) ?? 0) <= longest, `metrics are kept for ${longest / 86_400} days`);

export const metricsRoutes = (metrics: Metrics) =>
  new Hono<ApiEnv>()
    .get(
      "/projects/:project/environments/:env/top",
      describeRoute({ summary: "Each running replica's newest CPU, memory, network and I/O, with its block's requests, p95 and 5xx per second", tags: ["metrics"] }),
      valid("param", envParam),
      (c) => {
        const { project, env } = c.req.valid("param");
        return c.json(metrics.top(project, env));
      },
    )
    .get(
      "/projects/:project/environments/:env/blocks/:block/metrics",
      describeRoute({ summary: "A block's resource and traffic series since a time ago (10 s points for 1 h, 1 min for 2 days, 10 min for 30 days)", tags: ["metrics"] }),
      valid("param", blockParam),
      valid("query", z.object({ since })),
      (c) => {
        const { project, env, block } = c.req.valid("param");
        return c.json(metrics.series(project, env, block, parseSince(c.req.valid("query").since)!));
      },
    )
    .get("/machine", describeRoute({ summary: "The machine's newest CPU, memory and disk use, and warnings", tags: ["metrics"] }), (c) =>
      c.json({ machine: metrics.machine(), warnings: metrics.warnings() }),
    );
