import { describe, expect, test } from "bun:test";
import { apiHarness } from "../../test/support/state.ts";
import { ROLES, atLeast, type GlobalRole, type Role } from "../core/roles.ts";

/**
 * Who may call each route, written out by hand: the document's routes must match this table
 * exactly, so a new route fails here until someone decides its rule.
 */
const EXPECTED: Record<string, GlobalRole> = {
  // "none": any signed-in caller; the handler answers with what is theirs or what they can see.
  "GET /api/whoami": "none",
  "GET /api/projects": "none",
  "POST /api/projects/apply": "member",
  "GET /api/projects/{project}": "viewer",
  "DELETE /api/projects/{project}": "admin",
  "GET /api/projects/{project}/export": "viewer",
  "GET /api/projects/{project}/environments": "viewer",
  "POST /api/projects/{project}/environments": "member",
  "DELETE /api/projects/{project}/environments/{env}": "member",
  "GET /api/projects/{project}/blocks": "viewer",
  "GET /api/projects/{project}/environments/{env}/blocks/{block}/vars": "viewer",
  "PUT /api/projects/{project}/environments/{env}/blocks/{block}/vars": "member",
  "POST /api/projects/{project}/environments/{env}/blocks/{block}/vars/unset": "member",
  "GET /api/tokens": "none",
  "POST /api/tokens": "none",
  "DELETE /api/tokens/{id}": "none",
  "GET /api/audit": "none",
  "GET /api/users": "viewer",
  "POST /api/users": "admin",
  "GET /api/users/{name}": "viewer",
  "DELETE /api/users/{name}": "admin",
  "PUT /api/users/{name}/role": "admin",
  "POST /api/users/{name}/invitation": "admin",
  // One's own password, keys and sessions; an admin's for others (the handler decides).
  "PUT /api/users/{name}/password": "none",
  "POST /api/users/{name}/keys": "none",
  "DELETE /api/users/{name}/keys/{fingerprint}": "none",
  "DELETE /api/users/{name}/sessions": "none",
  "GET /api/projects/{project}/members": "viewer",
  "PUT /api/projects/{project}/members/{user}": "admin",
  "DELETE /api/projects/{project}/members/{user}": "admin",
  "GET /api/projects/{project}/environments/{env}/blocks/{block}/vars/{name}": "viewer",
  "GET /api/catalog": "viewer",
  "POST /api/projects/{project}/environments/{env}/services/{block}/backups": "member",
  "GET /api/projects/{project}/environments/{env}/services/{block}/backups": "viewer",
  "POST /api/projects/{project}/environments/{env}/services/{block}/restore": "admin",
  "POST /api/projects/{project}/environments/{env}/services/{block}/rotate-password": "member",
  // Secret values come out masked: reading what a release would apply on k3s is a viewer's right.
  "GET /api/projects/{project}/environments/{env}/fleet/manifests": "viewer",
  // The fleet's machines: who may read the node list, and who may install k3s and join or remove nodes.
  "GET /api/fleet/nodes": "viewer",
  "POST /api/fleet/init": "admin",
  "POST /api/fleet/nodes": "admin",
  "POST /api/fleet/nodes/{name}/remove": "admin",
  "POST /api/projects/{project}/blocks/{block}/builds": "member",
  "GET /api/projects/{project}/builds": "viewer",
  "GET /api/builds/{id}": "viewer",
  "POST /api/builds/{id}/cancel": "member",
  "GET /api/builds/{id}/log": "viewer",
  "GET /api/builds/{id}/log/stream": "viewer",
  "GET /api/projects/{project}/blocks/{block}/deploy-key": "viewer",
  "POST /api/projects/{project}/blocks/{block}/deploy-key": "member",
  "PUT /api/projects/{project}/blocks/{block}/git-token": "member",
  "POST /api/projects/{project}/environments/{env}/deploys": "member",
  "POST /api/projects/{project}/environments/{env}/restart": "member",
  "POST /api/projects/{project}/environments/{env}/scale": "member",
  // The websocket upgrade is a GET, but a shell in a container is a member's right.
  "GET /api/projects/{project}/environments/{env}/blocks/{block}/exec": "member",
  "GET /api/projects/{project}/environments/{env}/status": "viewer",
  "GET /api/projects/{project}/environments/{env}/status/stream": "viewer",
  "GET /api/projects/{project}/environments/{env}/releases": "viewer",
  "GET /api/releases/{id}": "viewer",
  "GET /api/releases/{id}/log/stream": "viewer",
  "GET /api/releases/{id}/log": "viewer",
  "GET /api/projects/{project}/environments/{env}/releases/{number}": "viewer",
  "GET /api/projects/{project}/environments/{env}/diff": "viewer",
  "POST /api/projects/{project}/environments/{env}/promote": "member",
  "POST /api/projects/{project}/environments/{env}/rollback": "member",
  "POST /api/projects/{project}/environments/{env}/stop": "member",
  "POST /api/projects/{project}/environments/{env}/start": "member",
  "GET /api/projects/{project}/environments/{env}/blocks/{block}/passwords": "viewer",
  "PUT /api/projects/{project}/environments/{env}/blocks/{block}/passwords/{username}": "member",
  "DELETE /api/projects/{project}/environments/{env}/blocks/{block}/passwords/{username}": "member",
  "GET /api/projects/{project}/environments/{env}/gateway/clients": "viewer",
  "POST /api/projects/{project}/environments/{env}/gateway/clients": "member",
  "DELETE /api/projects/{project}/environments/{env}/gateway/clients/{clientId}": "member",
  "GET /api/projects/{project}/environments/{env}/jobs": "viewer",
  "POST /api/projects/{project}/environments/{env}/jobs/{job}/runs": "member",
  "GET /api/projects/{project}/environments/{env}/job-runs": "viewer",
  "GET /api/job-runs/{id}": "viewer",
  "POST /api/job-runs/{id}/cancel": "member",
  "GET /api/job-runs/{id}/log": "viewer",
  "GET /api/job-runs/{id}/log/stream": "viewer",
  "GET /api/certs": "viewer",
  "POST /api/certs/{host}/renew": "admin",
  "PUT /api/certs/{host}": "admin",
  // The secret starts deploys without a token.
  "GET /api/projects/{project}/webhook": "admin",
  "POST /api/projects/{project}/webhook": "admin",
  "POST /api/projects/{project}/webhook/rotate": "admin",
  // Receivers' URLs are shown masked, so a viewer may read the list; adding one sends the project's events out.
  "GET /api/projects/{project}/notifications": "viewer",
  "POST /api/projects/{project}/notifications": "member",
  "POST /api/projects/{project}/notifications/{id}/test": "member",
  "DELETE /api/projects/{project}/notifications/{id}": "member",
  "GET /api/projects/{project}/environments/{env}/top": "viewer",
  "GET /api/projects/{project}/environments/{env}/blocks/{block}/metrics": "viewer",
  "GET /api/machine": "viewer",
  "GET /metrics": "viewer",
  "GET /api/projects/{project}/environments/{env}/logs": "viewer",
  "GET /api/projects/{project}/environments/{env}/logs/stream": "viewer",
  "GET /api/projects/{project}/environments/{env}/access-log": "viewer",
  "GET /api/projects/{project}/environments/{env}/access-log/stream": "viewer",
};

/** Routes no token opens: their proof is a signature, so every caller without one gets 401, owner included. */
const SIGNED = ["POST /hooks/git/{project}"];

/** Routes whose proof is a password or an invitation link: a token changes nothing, so every caller gets the same answer. */
const PASSWORD: Record<string, number> = {
  "POST /auth/session": 400,
  "DELETE /auth/session": 204,
  "POST /auth/token": 400,
  "GET /auth/invitations/{token}": 404,
  "POST /auth/invitations/{token}": 400,
};

/** Requests a route takes with a query that changes who may call it: destroying data needs admin. */
const QUERY_VARIANTS: { route: string; query: string; role: Role }[] = [
  { route: "DELETE /api/projects/{project}/environments/{env}", query: "purgeVolumes=true", role: "admin" },
  { route: "DELETE /api/projects/{project}/environments/{env}", query: "purgeVolumes=false", role: "member" },
  { route: "DELETE /api/projects/{project}", query: "purgeVolumes=true", role: "admin" },
  // A secret in clear is an admin's to read; masked, any viewer's.
  { route: "GET /api/projects/{project}/environments/{env}/blocks/{block}/vars/{name}", query: "reveal=true", role: "admin" },
];

/** Valid but absent things: allowed calls answer 4xx from the handler (404, 400), never a change. */
const SAMPLES: Record<string, string> = {
  project: "ghost",
  env: "dev",
  block: "web",
  id: "999999",
  username: "alice",
  clientId: "gc_0123456789abcdef",
  number: "1",
  job: "nightly",
  host: "ghost.example.com",
  name: "alice",
  user: "alice",
  fingerprint: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  token: "0123456789abcdef0123456789abcdef",
};

async function documentedRoutes(): Promise<string[]> {
  const { app, ownerToken } = apiHarness();
  const res = await app.request("/api/openapi.json", { headers: { Authorization: `Bearer ${ownerToken}` } });
  const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
}

const concrete = (path: string) => path.replace(/\{(\w+)\}/g, (_, name: string) => SAMPLES[name] ?? `missing-sample-${name}`);

const CALLERS = [...ROLES, "none"] as const;

describe("the authorisation matrix: every documented route × every role", async () => {
  const routes = await documentedRoutes();

  test("every route in the OpenAPI document has a rule in this table, and every rule a route", () => {
    expect([...routes].sort()).toEqual([...Object.keys(EXPECTED), ...SIGNED, ...Object.keys(PASSWORD)].sort());
  });

  const { app, tokenWithRole, ownerToken } = apiHarness();
  const tokens: Record<string, string | undefined> = { owner: ownerToken, none: undefined };
  for (const role of ROLES.filter((r) => r !== "owner")) tokens[role] = tokenWithRole(role);

  const cases = [
    ...routes.filter((route) => !SIGNED.includes(route) && !(route in PASSWORD)).map((route) => ({ route, query: "", role: EXPECTED[route] ?? "owner" })),
    ...QUERY_VARIANTS,
  ];
  for (const { route, query, role: needed } of cases) {
    const [method, path] = route.split(" ") as [string, string];
    test(`${route}${query ? `?${query}` : ""} needs ${needed}`, async () => {
      const seen: Record<string, number> = {};
      const want: Record<string, string> = {};
      for (const caller of CALLERS) {
        const token = tokens[caller];
        const res = await app.request(`${concrete(path)}${query ? `?${query}` : ""}`, {
          method,
          headers: { ...(token && { Authorization: `Bearer ${token}` }), "Content-Type": "application/json" },
          ...(method !== "GET" && method !== "DELETE" && { body: "{}" }),
        });
        await res.body?.cancel();
        seen[caller] = res.status;
        want[caller] = caller === "none" ? "401" : atLeast(caller, needed) ? "allowed" : "403";
      }
      const verdict = Object.fromEntries(CALLERS.map((c) => [c, seen[c] === 401 ? "401" : seen[c] === 403 ? "403" : "allowed"]));
      expect({ route, verdict }).toEqual({ route, verdict: want });
    });
  }

  for (const [route, status] of Object.entries(PASSWORD)) {
    const [method, path] = route.split(" ") as [string, string];
    test(`${route} takes a password or a link, not a token: every caller gets ${status}`, async () => {
      const verdict: Record<string, number> = {};
      for (const caller of CALLERS) {
        const token = tokens[caller];
        const res = await app.request(concrete(path), {
          method,
          headers: { ...(token && { Authorization: `Bearer ${token}` }), "Content-Type": "application/json" },
          ...(method !== "GET" && method !== "DELETE" && { body: "{}" }),
        });
        await res.body?.cancel();
        verdict[caller] = res.status;
      }
      expect({ route, verdict }).toEqual({ route, verdict: Object.fromEntries(CALLERS.map((c) => [c, status])) });
    });
  }

  for (const route of SIGNED) {
    const [method, path] = route.split(" ") as [string, string];
    test(`${route} takes no token: unsigned, every caller gets 401`, async () => {
      const verdict: Record<string, number> = {};
      for (const caller of CALLERS) {
        const token = tokens[caller];
        const res = await app.request(concrete(path), {
          method,
          headers: { ...(token && { Authorization: `Bearer ${token}` }), "Content-Type": "application/json", "X-GitHub-Event": "push" },
          body: "{}",
        });
        await res.body?.cancel();
        verdict[caller] = res.status;
      }
      expect({ route, verdict }).toEqual({ route, verdict: Object.fromEntries(CALLERS.map((c) => [c, 401])) });
    });
  }
});
