import type { UserStore } from "../../ports/user-store.ts";
import { forbidden, notFound } from "../errors.ts";
import { atLeast, type Role } from "../roles.ts";
import { roleOn, type Principal } from "./rights.ts";

/** Per-project grants: who has which role on a project, beyond their global role. */
export function createMembers(store: UserStore) {
  const members = (project: string) => {
    const list = store.membersOf(project);
    if (!list) throw notFound(`project "${project}"`);
    return list;
  };
  const user = (name: string) => {
    const found = store.findUser(name);
    if (!found) throw notFound(`user "${name}"`);
    return found;
  };
  /** A project admin hands out roles up to their own, and only takes away what they could give. */
  const mayGrant = (caller: Principal, project: string, role: Role) => {
    const own = roleOn(caller, project);
    if (!atLeast(own, role)) throw forbidden(`your role on "${project}" is ${own}: you cannot grant or remove ${role}`);
  };

  return {
    list: members,

    set(caller: Principal, project: string, name: string, role: Role) {
      members(project);
      const target = user(name);
      mayGrant(caller, project, role);
      const current = store.grantsOf(target.id).find((g) => g.project === project);
      if (current) mayGrant(caller, project, current.role);
      store.setGrant(target.id, project, role);
      return { user: name, role };
    },

    remove(caller: Principal, project: string, name: string) {
      members(project);
      const target = user(name);
      const current = store.grantsOf(target.id).find((g) => g.project === project);
      if (!current) throw notFound(`"${name}" as a member of "${project}"`);
      mayGrant(caller, project, current.role);
      store.deleteGrant(target.id, project);
    },
  };
}

export type Members = ReturnType<typeof createMembers>;
