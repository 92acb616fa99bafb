import type { Role } from "../core/roles.ts";

export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  userId: number;
  /** The one project the token may act on; null: any its user may. */
  project: string | null;
  /** Past this time the token is refused; null: no end. */
  expiresAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Users and their API tokens; only hashes of tokens are stored. */
export interface TokenStore {
  countUsers(): number;
  createUser(name: string, role: Role): number;
  firstOwnerId(): number | null;
  createToken(token: Omit<TokenRecord, "createdAt" | "lastUsedAt"> & { hash: string }): TokenRecord;
  findTokenByHash(hash: string): TokenRecord | null;
  touchToken(id: string): void;
  /** Every token, or one user's; each with its user's name. */
  listTokens(userId?: number): (TokenRecord & { user: string })[];
  deleteToken(id: string): boolean;
}
