import { atLeast, type Role } from "../core/roles.ts";
import { forbidden } from "../core/errors.ts";

interface Rule {
  method?: string;
  path: RegExp;
  /** Narrows the rule to requests whose query matches, e.g. a flag that destroys data. */
  query?: (query: URLSearchParams) => boolean;
  role: Role;
}

/** Anything but an explicit "false" asks for the volumes to go; refusing must not depend on spelling. */
const purgesVolumes = (query: URLSearchParams) => query.has("purgeVolumes") && query.get("purgeVolumes") !== "false";

/** Routes that need more than the default (reads: viewer, changes: member). First match wins. */
const RULES: Rule[] = [
  { path: /^\/api\/tokens(\/|$)/, role: "admin" },
  { method: "DELETE", path: /^\/api\/projects\/[^/]+$/, role: "admin" },
  // Destroying data needs admin, as deleting a project does.
  { method: "DELETE", path: /^\/api\/projects\/[^/]+\/environments\/[^/]+$/, query: purgesVolumes, role: "admin" },
  // A shell in a container can change anything the app can: a GET (the websocket upgrade), but a member's right.
  { path: /^\/api\/projects\/[^/]+\/environments\/[^/]+\/blocks\/[^/]+\/exec$/, role: "member" },
  // Certificates serve every project of the install: changing them is an admin's call.
  { method: "PUT", path: /^\/api\/certs\/[^/]+$/, role: "admin" },
  { method: "POST", path: /^\/api\/certs\/[^/]+\/renew$/, role: "admin" },
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
