export const ROLES = ["viewer", "member", "admin", "owner"] as const;
export type Role = (typeof ROLES)[number];

/** A user's install-wide role; "none" sees only the projects a grant names. */
export const GLOBAL_ROLES = ["none", ...ROLES] as const;
export type GlobalRole = (typeof GLOBAL_ROLES)[number];

const rank = (role: GlobalRole) => GLOBAL_ROLES.indexOf(role);

/** True when `role` has at least the rights of `needed` (roles are ordered). */
export const atLeast = (role: GlobalRole, needed: GlobalRole) => rank(role) >= rank(needed);

export const maxRole = (a: GlobalRole, b: GlobalRole): GlobalRole => (rank(a) >= rank(b) ? a : b);
export const minRole = (a: GlobalRole, b: GlobalRole): GlobalRole => (rank(a) <= rank(b) ? a : b);
