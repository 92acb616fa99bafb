import { atLeast, maxRole, minRole, type GlobalRole, type Role } from "../roles.ts";

/**
 * Who is calling and what narrows them: a user with a global role and per-project grants,
 * acting through a token (which may cap the role and pin one project) or a console session.
 */
export interface Principal {
  user: { id: number; name: string; role: GlobalRole };
  grants: { project: string; role: Role }[];
  via: "token" | "session";
  /** Set when via is "token": its id, name and narrowing. */
  token?: { id: string; name: string; role: Role; project: string | null; expiresAt: string | null };
}

/** The user's own rights on a project: the higher of their global role and their grant there. */
const userRoleOn = (p: Pick<Principal, "user" | "grants">, project: string): GlobalRole =>
  maxRole(p.user.role, p.grants.find((g) => g.project === project)?.role ?? "none");

/** Effective role on a project: the user's rights, capped by the token's role and project. */
export function roleOn(p: Principal, project: string): GlobalRole {
  if (p.token?.project && p.token.project !== project) return "none";
  const own = userRoleOn(p, project);
  return p.token ? minRole(own, p.token.role) : own;
}

/** Effective role for what belongs to no project (certificates, users, the machine): a project token has none. */
export function installRole(p: Principal): GlobalRole {
  if (p.token?.project) return "none";
  return p.token ? minRole(p.user.role, p.token.role) : p.user.role;
}

/** The most this credential can do anywhere: the ceiling for the tokens it may create. */
export function bestRole(p: Principal): GlobalRole {
  if (p.token?.project) return roleOn(p, p.token.project);
  const best = p.grants.reduce<GlobalRole>((acc, g) => maxRole(acc, g.role), p.user.role);
  return p.token ? minRole(best, p.token.role) : best;
}

/** A project is visible when the credential has any role on it; invisible ones do not exist for it. */
export const canSee = (p: Principal, project: string) => atLeast(roleOn(p, project), "viewer");

/** Projects visible among `all`, or null when every project is (install-wide viewers and up). */
export const visibleProjects = (p: Principal, all: string[]): string[] | null => (atLeast(installRole(p), "viewer") ? null : all.filter((name) => canSee(p, name)));

/** The name a release or an audit entry records for who did it. */
export const actorName = (p: Principal) => p.user.name;
