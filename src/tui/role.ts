import { maxRole, type GlobalRole } from "../core/roles.ts";

export interface Me {
  role: GlobalRole;
  /** A project token's project: its role is already the role there. */
  project?: string | null;
  grants?: { project: string; role: GlobalRole }[];
}

/** What the caller may do on a project, for greying keys: the install role or the project's grant, whichever is higher. The API decides again. */
export function roleOn(me: Me, project: string | null): GlobalRole {
  if (me.project || !project) return me.role;
  return maxRole(me.role, me.grants?.find((g) => g.project === project)?.role ?? "none");
}
