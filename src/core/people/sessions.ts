import { createHash, randomBytes } from "node:crypto";
import type { TokenRecord } from "../../ports/token-store.ts";
import type { UserStore } from "../../ports/user-store.ts";
import { principalFor } from "./principals.ts";
import type { Principal } from "./rights.ts";

/** A session ends after this long without a request. */
export const SESSION_IDLE_MS = 12 * 3_600_000;
/** Last-seen times are written at most this often per session, so reads stay reads. */
const TOUCH_EVERY_MS = 60_000;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Console sessions: an opaque cookie value whose hash names a row; idle ones expire. */
export function createSessions(store: UserStore, now: () => number = Date.now) {
  const live = (value: string) => {
    if (!/^[A-Za-z0-9_-]{43}$/.test(value)) return null;
    const hash = sha256(value);
    const session = store.findSession(hash);
    if (!session) return null;
    const idle = now() - Date.parse(session.lastSeenAt);
    if (idle > SESSION_IDLE_MS) {
      store.deleteSession(hash);
      return null;
    }
    return { hash, session, idle };
  };

  return {
    /** A new session for a user who just proved who they are; returns the cookie value. */
    start(userId: number, ip: string | null): string {
      const value = randomBytes(32).toString("base64url");
      const at = new Date(now()).toISOString();
      store.deleteSessionsIdleSince(new Date(now() - SESSION_IDLE_MS).toISOString());
      store.createSession(sha256(value), userId, ip, at);
      return value;
    },

    /** The session's user as a principal, or null (unknown, ended or idle too long); counts as activity. */
    principal(value: string): Principal | null {
      const found = live(value);
      if (!found) return null;
      if (found.idle > TOUCH_EVERY_MS) store.touchSession(found.hash, new Date(now()).toISOString());
      return principalFor(store, found.session.userId, "session");
    },

    /** Whether the session still holds, without counting activity: for checks during a long answer. */
    current: (value: string): Principal | null => {
      const found = live(value);
      return found ? principalFor(store, found.session.userId, "session") : null;
    },

    /** The principal of a token's user, narrowed by the token; null when the user is gone. */
    forToken: (record: TokenRecord): Principal | null => principalFor(store, record.userId, "token", record),

    /** A user's own principal, as a fresh password login gives it. */
    forUser: (userId: number): Principal | null => principalFor(store, userId, "session"),

    end(value: string) {
      if (/^[A-Za-z0-9_-]{43}$/.test(value)) store.deleteSession(sha256(value));
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
