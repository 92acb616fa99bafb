import { installRole, roleOn, type Principal } from "../core/people/rights.ts";

/**
 * The caller as the console and CLI show it. `role` is the credential's effective role: on its
 * project for a project token, on the install otherwise (a user with only grants has "none").
 */
export function whoami(p: Principal) {
  const project = p.token?.project ?? null;
  return {
    ...(p.token && { id: p.token.id, expiresAt: p.token.expiresAt }),
    name: p.token?.name ?? p.user.name,
    role: project ? roleOn(p, project) : installRole(p),
    user: p.user.name,
    userId: p.user.id,
    userRole: p.user.role,
    project,
    grants: p.grants,
    via: p.via,
  };
}
