import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { MAX_LINES, type LogRequest, type Logs } from "../../core/logs/logs.ts";
import { blockName, environmentName, projectName } from "../../core/names.ts";
import type { ApiEnv } from "../env.ts";
import { followAsEvents } from "../sse.ts";
import { valid } from "../validate.ts";

const envParam = z.object({ project: projectName, env: environmentName });
const logQuery = z.object({
  /** Comma-separated; none: every block. */
  blocks: z
    .string()
    .max(2000)
    .transform((v) => v.split(",").filter(Boolean))
    .pipe(z.array(blockName).max(100))
    .optional(),
  since: z.string().max(64).optional(),
  until: z.string().max(64).optional(),
  tail: z.coerce.number().int().min(0).max(MAX_LINES).optional(),
  grep: z.string().max(500).optional(),
  release: z.coerce.number().int().positive().optional(),
});
const HEARTBEAT_MS = 15_000;

type Query = z.output<typeof logQuery>;
const request = (param: { project: string; env: string }, query: Query): LogRequest => ({ project: param.project, environment: param.env, ...query });

export const logRoutes = (logs: Logs) =>
  new Hono<ApiEnv>()
    .get(
      "/projects/:project/environments/:env/logs",
      describeRoute({ summary: "Stored output of the environment's blocks, oldest first (default: the newest 100 lines)", tags: ["logs"] }),
      valid("param", envParam),
      valid("query", logQuery),
      (c) => c.json({ lines: logs.query(request(c.req.valid("param"), c.req.valid("query"))) }),
    )
    .get(
      "/projects/:project/environments/:env/logs/stream",
      describeRoute({ summary: "Server-sent events: `log` per line (JSON), the stored ones first, then new ones as the blocks write them", tags: ["logs"] }),
      valid("param", envParam),
      valid("query", logQuery),
      (c) => {
        const wanted = request(c.req.valid("param"), c.req.valid("query"));
        logs.check(wanted);
        return followAsEvents(c, (onLine, onDone) => logs.follow(wanted, (line) => onLine(JSON.stringify(line)), onDone), () => ({}), { heartbeatMs: HEARTBEAT_MS });
      },
    )
    .get(
      "/projects/:project/environments/:env/access-log",
      describeRoute({ summary: "The edge's access log entries of the environment's blocks, oldest first", tags: ["logs"] }),
      valid("param", envParam),
      valid("query", logQuery),
      (c) => c.json({ entries: logs.accessQuery(request(c.req.valid("param"), c.req.valid("query"))) }),
    )
    .get(
      "/projects/:project/environments/:env/access-log/stream",
      describeRoute({ summary: "Server-sent events: `log` per access log entry (JSON), as the edge writes them", tags: ["logs"] }),
      valid("param", envParam),
      valid("query", logQuery),
      (c) => {
        const wanted = request(c.req.valid("param"), c.req.valid("query"));
        logs.check(wanted);
        return followAsEvents(c, (onLine, onDone) => logs.accessFollow(wanted, (entry) => onLine(JSON.stringify(entry)), onDone), () => ({}), { heartbeatMs: HEARTBEAT_MS });
      },
    );
