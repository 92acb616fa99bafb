import type { TokenRecord } from "../../ports/token-store.ts";
import type { UserStore } from "../../ports/user-store.ts";
import type { Principal } from "./rights.ts";

/** A user's principal as of now: their role and grants are read on every request, so changes apply at once. */
export function principalFor(store: UserStore, userId: number, via: Principal["via"], token?: TokenRecord): Principal | null {
  const user = store.userById(userId);
  if (!user) return null;
  return {
    user: { id: user.id, name: user.name, role: user.role },
    grants: store.grantsOf(user.id),
    via,
    ...(token && { token: { id: token.id, name: token.name, role: token.role, project: token.project, expiresAt: token.expiresAt } }),
  };
}
