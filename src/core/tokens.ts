import { createHash, randomBytes } from "node:crypto";
import type { TokenRecord, TokenStore } from "../ports/token-store.ts";
import { forbidden, invalid, notFound, unauthorized } from "./errors.ts";
import { bestRole, canSee, installRole, roleOn, type Principal } from "./people/rights.ts";
import { atLeast, type Role } from "./roles.ts";

const PREFIX = "berth_";

/** The public id in `berth_<id>_<secret>`: what a guesser aims at, never the secret part. */
export const tokenId = (token: string) => (token.startsWith(PREFIX) ? (/^[0-9a-f]{12}(?=_)/.exec(token.slice(PREFIX.length))?.[0] ?? null) : null);

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export interface TokenRequest {
  name: string;
  role: Role;
  project?: string | null;
  expiresAt?: string | null;
}

const expired = (record: TokenRecord, now: number) => record.expiresAt !== null && Date.parse(record.expiresAt) <= now;

export function createTokens(store: TokenStore, now: () => number = Date.now) {
  const issue = (userId: number, request: TokenRequest) => {
    const id = randomBytes(6).toString("hex");
    const token = `${PREFIX}${id}_${randomBytes(32).toString("base64url")}`;
    const record = store.createToken({ id, userId, name: request.name, role: request.role, project: request.project ?? null, expiresAt: request.expiresAt ?? null, hash: hashToken(token) });
    return { token, record };
  };
  const find = (token: string) => {
    const record = token.startsWith(PREFIX) ? store.findTokenByHash(hashToken(token)) : null;
    return record && !expired(record, now()) ? record : null;
  };

  return {
    /** On first start: an owner and their token, or null when users already exist. */
    bootstrapOwner(): string | null {
      if (store.countUsers() > 0) return null;
      const userId = store.createUser("owner", "owner");
      return issue(userId, { name: "admin", role: "owner" }).token;
    },

    /**
     * Recovery by whoever can write the data dir (root on an install): a new owner token for
     * the first owner (made if none is left). The token `previous` held, if still valid, goes.
     */
    resetOwner(previous?: string): string {
      const old = previous ? find(previous) : null;
      if (old) store.deleteToken(old.id);
      const userId = store.firstOwnerId() ?? store.createUser("owner", "owner");
      return issue(userId, { name: "admin", role: "owner" }).token;
    },

    authenticate(token: string): TokenRecord {
      const record = token.startsWith(PREFIX) ? store.findTokenByHash(hashToken(token)) : null;
      if (!record) throw unauthorized("the API token is not valid");
      if (expired(record, now())) throw unauthorized(`the API token "${record.name}" expired at ${record.expiresAt}`);
      store.touchToken(record.id);
      return record;
    },

    /** The token's record if it is still valid, without counting a use: for checks during a long answer. */
    current: (token: string): TokenRecord | null => find(token),

    /**
     * A token only narrows: never more than the credential making it can do, never a project it
     * cannot see, never outliving a token it is made with. Its rights stay capped by its user's.
     */
    create(caller: Principal, request: TokenRequest) {
      const pinned = caller.token?.project ?? null;
      const project = request.project ?? pinned;
      if (pinned && project !== pinned) throw forbidden(`a token for project "${pinned}" can only create tokens for that project`);
      if (project && !canSee(caller, project)) throw notFound(`project "${project}"`);
      const ceiling = project ? roleOn(caller, project) : bestRole(caller);
      if (!atLeast(ceiling, request.role)) throw forbidden(`you can create tokens up to the ${ceiling} role${project ? ` on "${project}"` : ""}, not ${request.role}`);
      const callerEnd = caller.token?.expiresAt ?? null;
      if (request.expiresAt && Date.parse(request.expiresAt) <= now()) throw invalid("the expiry must be in the future");
      if (callerEnd && (!request.expiresAt || request.expiresAt > callerEnd)) {
        if (request.expiresAt) throw forbidden(`the token you use expires at ${callerEnd}: a token it makes cannot outlive it`);
        request = { ...request, expiresAt: callerEnd };
      }
      return issue(caller.user.id, { ...request, project });
    },

    /** For an in-process client acting as a user (the terminal UI over SSH): all of the user's rights, for `ttlMs`. */
    issueShortLived(userId: number, name: string, ttlMs: number): string {
      return issue(userId, { name, role: "owner", expiresAt: new Date(now() + ttlMs).toISOString() }).token;
    },

    /** One's own tokens; install admins see everyone's. */
    list: (caller: Principal) => store.listTokens(atLeast(installRole(caller), "admin") ? undefined : caller.user.id).filter((t) => !expired(t, now())),

    /**
     * One's own tokens, but never with a narrower token than the one revoked (a leaked admin token
     * must not lock its owner out); others' need an install admin with at least the token's role.
     */
    revoke(caller: Principal, id: string) {
      const target = store.listTokens().find((t) => t.id === id);
      const own = target?.userId === caller.user.id;
      const admin = atLeast(installRole(caller), "admin");
      if (!target || (!own && !admin)) throw notFound(`token "${id}"`);
      const pinned = caller.token?.project;
      const reach = own ? (caller.token ? (pinned && target.project !== pinned ? "none" : caller.token.role) : "owner") : installRole(caller);
      if (!atLeast(reach, target.role)) throw forbidden(`a ${reach === "none" ? `token for project "${pinned}"` : `${reach} token`} cannot revoke an ${target.role} token`);
      store.deleteToken(id);
    },
  };
}

export type Tokens = ReturnType<typeof createTokens>;
