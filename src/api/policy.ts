import { atLeast, type GlobalRole } from "../core/roles.ts";
import { forbidden, notFound } from "../core/errors.ts";
import { bestRole, canSee, installRole, roleOn, type Principal } from "../core/people/rights.ts";

interface Rule {
  method?: string;
  path: RegExp;
  /** Narrows the rule to requests whose query matches, e.g. a flag that destroys data. */
  query?: (query: URLSearchParams) => boolean;
  role: GlobalRole;
}

/** Anything but an explicit "false" asks for the volumes to go; refusing must not depend on spelling. */
const purgesVolumes = (query: URLSearchParams) => query.has("purgeVolumes") && query.get("purgeVolumes") !== "false";
/** The same for showing a secret's value. */
const reveals = (query: URLSearchParams) => query.has("reveal") && query.get("reveal") !== "false";

/** Routes that need more (or less) than the default (reads: viewer, changes: member). First match wins. */
const RULES: Rule[] = [
  // Every signed-in caller may ask who they are, list what they can see and manage their own tokens.
  { path: /^\/api\/whoami$/, role: "none" },
  { method: "GET", path: /^\/api\/openapi\.json$/, role: "none" },
  { method: "GET", path: /^\/api\/projects$/, role: "none" },
  { path: /^\/api\/tokens(\/|$)/, role: "none" },
  { path: /^\/api\/audit$/, role: "none" },
  // Their own keys, password and sessions: the handler lets an admin do it for others (users.ts).
  { path: /^\/api\/users\/[^/]+\/(keys|password|sessions)(\/|$)/, role: "none" },
  { method: "GET", path: /^\/api\/users(\/|$)/, role: "viewer" },
  { path: /^\/api\/users(\/|$)/, role: "admin" },
  // Who may do what on a project is the project admin's call.
  { method: "PUT", path: /^\/api\/projects\/[^/]+\/members\/[^/]+$/, role: "admin" },
  { method: "DELETE", path: /^\/api\/projects\/[^/]+\/members\/[^/]+$/, role: "admin" },
  // The webhook secret starts deploys without a token: reading it is as strong as an admin's right.
  { path: /^\/api\/projects\/[^/]+\/webhook(\/|$)/, role: "admin" },
  { method: "DELETE", path: /^\/api\/projects\/[^/]+$/, role: "admin" },
  // Destroying data needs admin, as deleting a project does.
  { method: "DELETE", path: /^\/api\/projects\/[^/]+\/environments\/[^/]+$/, query: purgesVolumes, role: "admin" },
  // A secret in clear (a generated database password) is an admin's to read, as the webhook secret is.
  { method: "GET", path: /^\/api\/projects\/[^/]+\/environments\/[^/]+\/blocks\/[^/]+\/vars\/[^/]+$/, query: reveals, role: "admin" },
  // A restore replaces a service's data with an older copy: destroying data, an admin's call.
  { method: "POST", path: /^\/api\/projects\/[^/]+\/environments\/[^/]+\/services\/[^/]+\/restore$/, role: "admin" },
  // A shell in a container can change anything the app can: a GET (the websocket upgrade), but a member's right.
  { path: /^\/api\/projects\/[^/]+\/environments\/[^/]+\/blocks\/[^/]+\/exec$/, role: "member" },
  // Certificates serve every project of the install: changing them is an admin's call.
  { method: "PUT", path: /^\/api\/certs\/[^/]+$/, role: "admin" },
  { method: "POST", path: /^\/api\/certs\/[^/]+\/renew$/, role: "admin" },
  // The fleet's machines: installing k3s, joining and removing nodes over SSH is the install admin's call.
  { method: "GET", path: /^\/api\/fleet\/nodes$/, role: "viewer" },
  { path: /^\/api\/fleet(\/|$)/, role: "admin" },
  // Prometheus scrapes with a read-only token: the series of every project the token sees.
  { path: /^\/metrics$/, role: "viewer" },
];

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

export const isRead = (method: string) => READS.has(method);

export function requiredRole(method: string, path: string, query: URLSearchParams = new URLSearchParams()): GlobalRole {
  // HEAD runs the GET handler: it must meet the GET rules (a revealed secret is decrypted either way).
  const asked = method === "HEAD" ? "GET" : method;
  const rule = RULES.find((r) => (r.method === undefined || r.method === asked) && r.path.test(path) && (r.query?.(query) ?? true));
  return rule?.role ?? (READS.has(method) ? "viewer" : "member");
}

/**
 * What a request acts on, so the right role is asked: a project (from the path, or from the
 * build, release or job run it names), the install as a whole, or only what the caller owns or
 * sees (the handler filters: project lists, audit, /metrics, one's own tokens and keys).
 */
export type Scope =
  | { kind: "project"; project: string }
  | { kind: "resource"; resource: "build" | "release" | "job-run"; id: number }
  | { kind: "install" }
  | { kind: "own" };

const RESOURCES = { builds: "build", releases: "release", "job-runs": "job-run" } as const;

function scopeOf(method: string, path: string): Scope {
  if (method === "POST" && path === "/api/projects/apply") return { kind: "own" };
  const project = /^\/api\/projects\/([^/]+)(\/|$)/.exec(path);
  if (project) return { kind: "project", project: decodeURIComponent(project[1]!) };
  const resource = /^\/api\/(builds|releases|job-runs)\/(\d+)(\/|$)/.exec(path);
  if (resource) return { kind: "resource", resource: RESOURCES[resource[1] as keyof typeof RESOURCES], id: Number(resource[2]) };
  if (/^\/api\/(whoami|projects|tokens|audit|openapi\.json)(\/|$)/.test(path) || /^\/api\/users\/[^/]+\/(keys|password|sessions)(\/|$)/.test(path) || path === "/metrics") return { kind: "own" };
  return { kind: "install" };
}

/** The project a build, release or job run belongs to; null when there is no such thing. */
export type ResolveProject = (scope: Extract<Scope, { kind: "resource" }>) => string | null;

/**
 * The single authorisation check every /api route passes through. A project the caller has no
 * role on answers 404 as if it did not exist; a role too low for the route answers 403.
 * Returns the project the request acts on, if any.
 */
export function authorize(
  principal: Principal,
  method: string,
  path: string,
  query: URLSearchParams | undefined,
  resolve: ResolveProject,
  /** Told the project before the verdict, so a refusal is recorded against it too. */
  onProject: (project: string) => void = () => {},
): string | null {
  const needed = requiredRole(method, path, query);
  const scope = scopeOf(method, path);
  let role: GlobalRole;
  let project: string | null = null;
  if (scope.kind === "project" || scope.kind === "resource") {
    project = scope.kind === "project" ? scope.project : resolve(scope);
    if (project !== null) onProject(project);
    // An absent build or release: no project to ask, so the caller's best role decides and the handler answers 404.
    role = project === null ? bestRole(principal) : roleOn(principal, project);
    if (project !== null && role === "none") throw notFound(scope.kind === "project" ? `project "${project}"` : `${scope.resource} ${scope.id}`);
  } else {
    role = scope.kind === "install" ? installRole(principal) : bestRole(principal);
  }
  if (!atLeast(role, needed)) throw forbidden(`this needs the ${needed} role${project ? ` on "${project}"` : scope.kind === "install" ? " on the install" : ""}; you have ${role}`);
  return project;
}

/**
 * Apply names its project in the file, not the path: changing a project needs member on it;
 * making a new one, member on the install. A project the caller cannot see reads as a new one.
 */
export function authorizeApply(principal: Principal, project: string, exists: boolean) {
  const visible = exists && canSee(principal, project);
  const role = visible ? roleOn(principal, project) : installRole(principal);
  if (!atLeast(role, "member")) throw forbidden(`applying project "${project}" needs the member role ${visible ? "on it" : "on the install to create a project"}; you have ${role}`);
}

/**
 * One's own keys, password and sessions; an install admin may manage anyone's (users.ts checks
 * the role order). A narrowed token (a project, a lower role) cannot: a key or a password would
 * turn it back into all of its user's rights.
 */
export function authorizeSelfService(caller: Principal, name: string) {
  if (caller.user.name === name) {
    const narrowed = caller.token && (caller.token.project !== null || !atLeast(caller.token.role, bestRole({ ...caller, token: undefined })));
    if (narrowed) throw forbidden("a token narrowed to a project or a lower role cannot change its user's password, keys or sessions");
    return;
  }
  if (!atLeast(installRole(caller), "admin")) throw notFound(`user "${name}"`);
}

/**
 * Routes outside /api that take no token: each names the proof its handler checks instead.
 * A path under a public mount that is not listed here is refused before any handler runs.
 */
const PUBLIC: { method: string; path: RegExp; proof: string }[] = [
  { method: "POST", path: /^\/hooks\/git\/[^/]+$/, proof: "the project's webhook signature" },
  { method: "POST", path: /^\/auth\/session$/, proof: "the user's password (throttled per user and address)" },
  { method: "DELETE", path: /^\/auth\/session$/, proof: "the session cookie it ends, if any" },
  { method: "POST", path: /^\/auth\/token$/, proof: "the user's password (throttled per user and address)" },
  { method: "GET", path: /^\/auth\/invitations\/[^/]+$/, proof: "the invitation's secret link" },
  { method: "POST", path: /^\/auth\/invitations\/[^/]+$/, proof: "the invitation's secret link" },
];

export const publicRouteProof = (method: string, path: string): string | undefined =>
  PUBLIC.find((r) => r.method === method && r.path.test(path))?.proof;

export function authorizePublic(method: string, path: string) {
  if (!publicRouteProof(method, path)) throw notFound(`route ${method} ${path}`);
}
