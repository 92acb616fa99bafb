import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { AUDIT_MAX_LIMIT, type Audit } from "../../core/people/audit.ts";
import { projectName } from "../../core/names.ts";
import type { ApiEnv } from "../env.ts";
import { valid } from "../validate.ts";

const auditQuery = z.object({
  project: projectName.optional(),
  since: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(AUDIT_MAX_LIMIT).optional(),
});

export const auditRoutes = (audit: Audit) =>
  new Hono<ApiEnv>().get(
    "/audit",
    describeRoute({ summary: "The audit log, newest first: install admins see every entry, others their projects' entries", tags: ["users"] }),
    valid("query", auditQuery),
    (c) => c.json(audit.query(c.get("principal"), c.req.valid("query"))),
  );
