import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import { BerthError } from "../core/errors.ts";
import type { Audit } from "../core/people/audit.ts";
import type { ApiEnv } from "./env.ts";
import { isRead } from "./policy.ts";
import { codeOfStatus } from "./problem.ts";

/** Names for the changes people look for; any other route is named by its method and last words. */
const ACTIONS: Record<string, string> = {
  "POST /api/projects/apply": "apply",
  "DELETE /api/projects/:project": "delete project",
  "POST /api/projects/:project/environments/:env/deploys": "deploy",
  "POST /api/projects/:project/environments/:env/promote": "promote",
  "POST /api/projects/:project/environments/:env/rollback": "rollback",
  "POST /api/projects/:project/environments/:env/stop": "stop",
  "POST /api/projects/:project/environments/:env/start": "start",
  "POST /api/projects/:project/environments/:env/restart": "restart",
  "POST /api/projects/:project/environments/:env/scale": "scale",
  "PUT /api/projects/:project/environments/:env/blocks/:block/vars": "vars set",
  "POST /api/projects/:project/environments/:env/blocks/:block/vars/unset": "vars unset",
  "POST /api/tokens": "token create",
  "DELETE /api/tokens/:id": "token revoke",
  "POST /api/users": "user add",
  "DELETE /api/users/:name": "user remove",
  "PUT /api/users/:name/role": "user role",
  "PUT /api/users/:name/password": "password set",
  "POST /api/users/:name/keys": "ssh key add",
  "DELETE /api/users/:name/keys/:fingerprint": "ssh key remove",
  "DELETE /api/users/:name/sessions": "sign out everywhere",
  "PUT /api/projects/:project/members/:user": "member set",
  "DELETE /api/projects/:project/members/:user": "member remove",
  "POST /api/projects/:project/environments/:env/gateway/clients": "gateway client create",
  "DELETE /api/projects/:project/environments/:env/gateway/clients/:clientId": "gateway client revoke",
  "POST /api/projects/:project/environments": "env create",
  "DELETE /api/projects/:project/environments/:env": "env delete",
  "PUT /api/projects/:project/environments/:env/blocks/:block/passwords/:username": "website password set",
  "DELETE /api/projects/:project/environments/:env/blocks/:block/passwords/:username": "website password remove",
  "POST /api/projects/:project/blocks/:block/builds": "build",
  "POST /api/projects/:project/environments/:env/jobs/:job/runs": "job run",
  "POST /api/projects/:project/webhook/rotate": "webhook rotate",
  "POST /api/projects/:project/notifications": "notify add",
  "DELETE /api/projects/:project/notifications/:id": "notify remove",
  "POST /api/users/:name/invitation": "user invite",
  "PUT /api/certs/:host": "cert import",
  "GET /api/projects/:project/environments/:env/blocks/:block/exec": "exec",
  "GET /api/projects/:project/webhook": "webhook show",
  "GET /api/projects/:project/environments/:env/blocks/:block/vars/:name": "vars reveal",
  "POST /api/certs/:host/renew": "cert renew",
};

export function actionOf(method: string, route: string): string {
  const known = ACTIONS[`${method} ${route}`];
  if (known) return known;
  const words = route.replace(/^\/api\//, "").split("/").filter((w) => w && !w.startsWith(":") && w !== "projects" && w !== "environments" && w !== "blocks");
  return `${method.toLowerCase()} ${words.join(" ") || route}`;
}

/**
 * Reads that are as strong as a change: a shell in a container (a GET, the websocket upgrade),
 * a secret shown in clear, the webhook secret that starts deploys.
 */
function sensitiveRead(path: string, reveal: string | undefined): boolean {
  if (/^\/api\/projects\/[^/]+\/environments\/[^/]+\/blocks\/[^/]+\/exec$/.test(path)) return true;
  if (/^\/api\/projects\/[^/]+\/webhook$/.test(path)) return true;
  return /\/vars\/[^/]+$/.test(path) && reveal !== undefined && reveal !== "false";
}

/**
 * Records every change made through /api after it ran: who, via what, from where, the route
 * and how it ended. Bodies are never read, so values (variables, passwords) never reach it.
 */
export const auditChanges = (audit: Audit) =>
  createMiddleware<ApiEnv>(async (c, next) => {
    await next();
    if (isRead(c.req.method) && !sensitiveRead(c.req.path, c.req.query("reveal"))) return;
    const principal = c.get("principal");
    const route = routePath(c, -1) || c.req.path;
    const status = c.res.status;
    const error = c.error instanceof BerthError ? c.error.code : undefined;
    audit.record({
      user: principal.user.name,
      via: principal.via === "token" ? `token:${principal.token!.id}` : "session",
      ip: c.get("ip"),
      method: c.req.method,
      route,
      project: c.get("project") ?? null,
      environment: /^\/api\/projects\/[^/]+\/environments\/([^/]+)/.exec(c.req.path)?.[1] ?? null,
      action: actionOf(c.req.method, route),
      detail: c.get("auditDetail") ?? null,
      outcome: status < 400 ? "ok" : (error ?? codeOfStatus(status)),
      status,
    });
  });
