// Who is signed in, and the one typed client every view calls the API with.
// People sign in with their name and password: the server sets an HttpOnly session cookie
// the browser sends by itself. An API token (for a machine account, or before any user has a
// password) is kept in this browser's storage and sent as a bearer header, never in a URL.
import { createClient, type Client } from "../../src/client/index.ts";

const TOKEN_KEY = "berth.token";

export type Role = "none" | "viewer" | "member" | "admin" | "owner";
const RANK: Record<Role, number> = { none: -1, viewer: 0, member: 1, admin: 2, owner: 3 };

export interface Me {
  name: string;
  user: string;
  /** On the install (or on the token's project). */
  role: Role;
  project: string | null;
  grants: { project: string; role: Role }[];
  via: string;
}

export interface Session {
  client: Client;
  me: Me;
  /** Headers for the calls the typed client does not make (event streams). */
  headers: Record<string, string>;
}

export const storedToken = () => localStorage.getItem(TOKEN_KEY);
export const forgetToken = () => localStorage.removeItem(TOKEN_KEY);
export const keepToken = (token: string) => localStorage.setItem(TOKEN_KEY, token);

export function clientFor(token: string | null): Client {
  return createClient({ url: location.origin, token: token ?? undefined });
}

export const headersFor = (token: string | null): Record<string, string> => (token ? { Authorization: `Bearer ${token}` } : {});

/** Whether `me` may do what needs `role`, on `project` when one is named (the higher of the install role and the grant there). */
export function may(me: Me, role: Role, project?: string): boolean {
  // A project token has rights on its project only, never on the install.
  if (me.project) return project === me.project && RANK[me.role] >= RANK[role];
  const grant = project === undefined ? undefined : me.grants.find((g) => g.project === project);
  return Math.max(RANK[me.role], grant ? RANK[grant.role] : -1) >= RANK[role];
}
