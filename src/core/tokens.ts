import { createHash, randomBytes } from "node:crypto";
import type { TokenRecord, TokenStore } from "../ports/token-store.ts";
import { forbidden, notFound, unauthorized } from "./errors.ts";
import { atLeast, type Role } from "./roles.ts";

const PREFIX = "berth_";

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export function createTokens(store: TokenStore) {
  const issue = (userId: number, name: string, role: Role) => {
    const id = randomBytes(6).toString("hex");
    const token = `${PREFIX}${id}_${randomBytes(32).toString("base64url")}`;
    const record = store.createToken({ id, name, role, userId, hash: hashToken(token) });
    return { token, record };
  };

  return {
    /** On first start: an owner and their token, or null when users already exist. */
    bootstrapOwner(): string | null {
      if (store.countUsers() > 0) return null;
      const userId = store.createUser("owner", "owner");
      return issue(userId, "admin", "owner").token;
    },

    authenticate(token: string): TokenRecord {
      const record = token.startsWith(PREFIX) ? store.findTokenByHash(hashToken(token)) : null;
      if (!record) throw unauthorized("the API token is not valid");
      store.touchToken(record.id);
      return record;
    },

    /** A token never has more rights than the one that made it. */
    create(caller: TokenRecord, name: string, role: Role) {
      if (!atLeast(caller.role, role)) throw forbidden(`a ${caller.role} token cannot create a ${role} token`);
      return issue(caller.userId, name, role);
    },

    list: () => store.listTokens(),

    revoke(id: string) {
      if (!store.deleteToken(id)) throw notFound(`token "${id}"`);
    },
  };
}

export type Tokens = ReturnType<typeof createTokens>;
