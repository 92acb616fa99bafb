import type { GlobalRole } from "../core/roles.ts";

/** The user a registered SSH public key belongs to. */
export interface SshUser {
  id: number;
  name: string;
  /** The install-wide role; grants per project come with the user's token. */
  role: GlobalRole;
}

/** One SSH login attempt, refused or accepted, for the audit log. */
export interface SshLogin {
  user: string | null;
  ip: string;
  /** "ok", or why it was refused: "unknown-key", "password", "throttled"… */
  outcome: string;
  detail: string;
}

/** What the SSH server needs from the people side of Berth: keys to users, tokens, the audit log. */
export interface SshAccess {
  /** The user whose registered key this is (algorithm and the key's wire blob in base64), or null. */
  userForSshKey(algo: string, keyBase64: string): SshUser | null;
  /** A token acting as the user for at most `ttlMs`: the session's in-process API client uses it. */
  issueShortLived(userId: number, name: string, ttlMs: number): string;
  /** Ends a session's token before its time (the session closed). */
  endShortLived(token: string): void | Promise<void>;
  recordLogin(login: SshLogin): void;
}
