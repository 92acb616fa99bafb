import { atLeast, type Role } from "../core/roles.ts";
import { forbidden, notFound } from "../core/errors.ts";

interface Rule {
  method?: string;
  path: RegExp;
  /** Narrows the rule to requests whose query matches, e.g. a flag that destroys data. */
  query?: (query: URLSearchParams) => boolean;
  role: Role;
}

/** Anything but an explicit "false" asks for the volumes to go; refusing must not depend on spelling. */
const purgesVolumes = (query: URLSearchParams) => query.has("purgeVolumes") && query.get("purgeVolumes") !== "false";
/** The same for showing a secret's value. */
const reveals = (query: URLSearchParams) => query.has("reveal") && query.get("reveal") !== "false";

/** Routes that need more than the default (reads: viewer, changes: member). First match wins. */
const RULES: Rule[] = [
  { path: /^\/api\/tokens(\/|$)/, role: "admin" },
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
  // Prometheus scrapes with a read-only token: every series of every project, like the other reads.
  { path: /^\/metrics$/, role: "viewer" },
];

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

export function requiredRole(method: string, path: string, query: URLSearchParams = new URLSearchParams()): Role {
  const rule = RULES.find((r) => (r.method === undefined || r.method === method) && r.path.test(path) && (r.query?.(query) ?? true));
  return rule?.role ?? (READS.has(method) ? "viewer" : "member");
}

/** The single authorisation check every /api route passes through. */
export function authorize(role: Role, method: string, path: string, query?: URLSearchParams) {
  const needed = requiredRole(method, path, query);
  if (!atLeast(role, needed)) throw forbidden(`this needs the ${needed} role; the token is ${role}`);
}

/**
 * Routes outside /api that take no token: each names the proof its handler checks instead.
 * A path under a public mount that is not listed here is refused before any handler runs.
 */
const PUBLIC: { method: string; path: RegExp; proof: string }[] = [
  { method: "POST", path: /^\/hooks\/git\/[^/]+$/, proof: "the project's webhook signature" },
];

export const publicRouteProof = (method: string, path: string): string | undefined =>
  PUBLIC.find((r) => r.method === method && r.path.test(path))?.proof;

export function authorizePublic(method: string, path: string) {
  if (!publicRouteProof(method, path)) throw notFound(`route ${method} ${path}`);
}
