// Who is signed in, and the one typed client every view calls the API with.
// Until users with passwords exist the console signs in with an API token kept in this
// browser's storage; the client sends it as a bearer token, never in a URL.
import { createClient, type Client } from "../../src/client/index.ts";

const TOKEN_KEY = "berth.token";

export type Role = "viewer" | "member" | "admin" | "owner";
const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

export interface Me {
  name: string;
  role: Role;
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

/** Whether `me` may do what needs `role` (roles include the ones below them). */
export const may = (me: Me, role: Role) => RANK[me.role] >= RANK[role];
