import { atLeast, type Role } from "../core/roles.ts";
import { forbidden } from "../core/errors.ts";

/** Routes that need more than the default (reads: viewer, changes: member). First match wins. */
const RULES: { method?: string; path: RegExp; role: Role }[] = [
  { path: /^\/api\/tokens(\/|$)/, role: "admin" },
  { method: "DELETE", path: /^\/api\/projects\/[^/]+$/, role: "admin" },
  // A shell in a container can change anything the app can: a GET (the websocket upgrade), but a member's right.
  { path: /^\/api\/projects\/[^/]+\/environments\/[^/]+\/blocks\/[^/]+\/exec$/, role: "member" },
];

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

export function requiredRole(method: string, path: string): Role {
  const rule = RULES.find((r) => (r.method === undefined || r.method === method) && r.path.test(path));
  return rule?.role ?? (READS.has(method) ? "viewer" : "member");
}

/** The single authorisation check every /api route passes through. */
export function authorize(role: Role, method: string, path: string) {
  const needed = requiredRole(method, path);
  if (!atLeast(role, needed)) throw forbidden(`this needs the ${needed} role; the token is ${role}`);
}
