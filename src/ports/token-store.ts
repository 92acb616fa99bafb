import type { Role } from "../core/roles.ts";

export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  userId: number;
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
  listTokens(): TokenRecord[];
  deleteToken(id: string): boolean;
}
