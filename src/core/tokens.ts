import { createHash, randomBytes } from "node:crypto";
import type { TokenRecord, TokenStore } from "../ports/token-store.ts";
import { forbidden, notFound, unauthorized } from "./errors.ts";
import { atLeast, type Role } from "./roles.ts";

const PREFIX = "berth_";

/** The public id in `berth_<id>_<secret>`: what a guesser aims at, never the secret part. */
export const tokenId = (token: string) => (token.startsWith(PREFIX) ? (/^[0-9a-f]{12}(?=_)/.exec(token.slice(PREFIX.length))?.[0] ?? null) : null);

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export function createTokens(store: TokenStore) {
  const issue = (userId: number, name: string, role: Role) => {
    const id = randomBytes(6).toString("hex");
    const token = `${PREFIX}${id}_${randomBytes(32).toString("base64url")}`;
    const record = store.createToken({ id, name, role, userId, hash: hashToken(token) });
    return { token, record };
  };
  const find = (token: string) => (token.startsWith(PREFIX) ? store.findTokenByHash(hashToken(token)) : null);

  return {
    /** On first start: an owner and their token, or null when users already exist. */
    bootstrapOwner(): string | null {
      if (store.countUsers() > 0) return null;
      const userId = store.createUser("owner", "owner");
      return issue(userId, "admin", "owner").token;
    },

    /**
     * Recovery by whoever can write the data dir (root on an install): a new owner token for
     * the first owner (made if none is left). The token `previous` held, if still valid, goes.
     */
    resetOwner(previous?: string): string {
      const old = previous ? find(previous) : null;
      if (old) store.deleteToken(old.id);
      const userId = store.firstOwnerId() ?? store.createUser("owner", "owner");
      return issue(userId, "admin", "owner").token;
    },

    authenticate(token: string): TokenRecord {
      const record = find(token);
      if (!record) throw unauthorized("the API token is not valid");
      store.touchToken(record.id);
      return record;
    },

    /** The token's record if it is still valid, without counting a use: for checks during a long answer. */
    current: (token: string): TokenRecord | null => find(token),

    /** A token never has more rights than the one that made it. */
    create(caller: TokenRecord, name: string, role: Role) {
      if (!atLeast(caller.role, role)) throw forbidden(`a ${caller.role} token cannot create a ${role} token`);
      return issue(caller.userId, name, role);
    },

    list: () => store.listTokens(),

    /** Nor can it revoke one with more rights: an admin could otherwise lock every owner out. */
    revoke(caller: TokenRecord, id: string) {
      const target = store.listTokens().find((t) => t.id === id);
      if (!target) throw notFound(`token "${id}"`);
      if (!atLeast(caller.role, target.role)) throw forbidden(`a ${caller.role} token cannot revoke an ${target.role} token`);
      store.deleteToken(id);
    },
  };
}

export type Tokens = ReturnType<typeof createTokens>;
