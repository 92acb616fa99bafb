import { createHash, randomBytes } from "node:crypto";
import type { UserRecord, UserStore } from "../../ports/user-store.ts";
import { conflict, forbidden, invalid, notFound, unauthorized } from "../errors.ts";
import { projectName } from "../names.ts";
import { aRole, atLeast, type GlobalRole } from "../roles.ts";
import { checkPassword, type PasswordHasher } from "./passwords.ts";
import { installRole, type Principal } from "./rights.ts";
import { parseSshKey } from "./ssh-keys.ts";

/** How long an invitation link works. */
const INVITATION_MS = 48 * 3_600_000;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** User names follow project names (src/core/names.ts): they show up in URLs, logs and audit lines. */
function checkName(name: string) {
  const result = projectName.safeParse(name);
  if (!result.success) throw invalid(`user name "${name.slice(0, 64)}": ${result.error.issues[0]!.message}`, [{ path: "name", message: result.error.issues[0]!.message }]);
}

export interface NewUser {
  name: string;
  role?: GlobalRole;
  password?: string;
  sshKeys?: string[];
}

/** Users, their roles, passwords and SSH keys, and the invitations that let them set a password. */
export function createUsers(deps: { store: UserStore; hasher: PasswordHasher; consoleUrl: string; now?: () => number }) {
  const { store } = deps;
  const now = deps.now ?? Date.now;
  // A hash to check against when the user does not exist, so both answers take as long.
  let decoy: Promise<string> | undefined;

  const find = (name: string): UserRecord => {
    const user = store.findUser(name);
    if (!user) throw notFound(`user "${name}"`);
    return user;
  };

  /** An admin manages users up to their own role; only owners touch owners. */
  const mayManage = (caller: Principal, role: GlobalRole, what: string) => {
    const own = installRole(caller);
    if (!atLeast(own, role)) throw forbidden(`${aRole(own)} cannot ${what} ${aRole(role)}`);
  };

  /** Oneself always; another user only up to one's own install role (only owners touch owners). */
  const mayActOn = (caller: Principal, user: UserRecord, what: string) => {
    if (user.id !== caller.user.id) mayManage(caller, user.role, what);
  };

  const lastOwner = (user: UserRecord) => user.role === "owner" && store.countOwners() <= 1;

  const invite = (userId: number) => {
    const token = randomBytes(24).toString("base64url");
    const expiresAt = new Date(now() + INVITATION_MS).toISOString();
    store.deleteInvitationsOf(userId);
    store.createInvitation(sha256(token), userId, expiresAt);
    return { url: `${deps.consoleUrl.replace(/\/$/, "")}/invite/${token}`, expiresAt };
  };

  const liveInvitation = (token: string) => {
    const found = /^[A-Za-z0-9_-]{16,64}$/.test(token) ? store.findInvitation(sha256(token)) : null;
    if (!found || Date.parse(found.expiresAt) <= now()) throw notFound("invitation (it may have expired or been used)");
    return found;
  };

  const describe = (user: UserRecord) => ({ ...user, grants: store.grantsOf(user.id), keys: store.listKeys(user.id).map(({ userId: _u, blob: _b, ...key }) => key) });

  return {
    list: () => store.listUsers().map(describe),

    show: (name: string) => describe(find(name)),

    async add(caller: Principal, input: NewUser) {
      checkName(input.name);
      const role = input.role ?? "member";
      mayManage(caller, role, "create");
      if (store.findUser(input.name)) throw conflict(`user "${input.name}" already exists`);
      if (input.password !== undefined) checkPassword(input.password, input.name);
      const keys = (input.sshKeys ?? []).map(parseSshKey);
      for (const key of keys) if (store.findKey(key.fingerprint)) throw conflict(`SSH key ${key.fingerprint} already belongs to a user`);
      const hash = input.password !== undefined ? await deps.hasher.hash(input.password) : null;
      const user = store.createUser(input.name, role, hash);
      for (const key of keys) store.addKey({ ...key, userId: user.id });
      return { user: describe(user), ...(hash === null && { invitation: invite(user.id) }) };
    },

    remove(caller: Principal, name: string) {
      const user = find(name);
      mayManage(caller, user.role, "remove");
      if (lastOwner(user)) throw conflict(`"${name}" is the last owner: make another user owner first`);
      store.deleteUser(user.id);
    },

    setRole(caller: Principal, name: string, role: GlobalRole) {
      const user = find(name);
      mayManage(caller, user.role, "change the role of");
      mayManage(caller, role, "make someone");
      if (role !== "owner" && lastOwner(user)) throw conflict(`"${name}" is the last owner: make another user owner first`);
      store.setRole(user.id, role);
      return describe(store.userById(user.id)!);
    },

    /** A new invitation link (the old one stops working): for a user who never set a password or forgot it. */
    reinvite(caller: Principal, name: string) {
      const user = find(name);
      mayManage(caller, user.role, "invite");
      return invite(user.id);
    },

    /** Oneself, or an admin for users up to their role: a key is a way in as that user (SSH). */
    addKey(caller: Principal, name: string, line: string) {
      const user = find(name);
      mayActOn(caller, user, "add an SSH key to");
      const key = parseSshKey(line);
      if (store.findKey(key.fingerprint)) throw conflict(`SSH key ${key.fingerprint} already belongs to a user`);
      store.addKey({ ...key, userId: user.id });
      return { fingerprint: key.fingerprint };
    },

    removeKey(caller: Principal, name: string, fingerprint: string) {
      const user = find(name);
      mayActOn(caller, user, "remove an SSH key of");
      if (!store.deleteKey(user.id, fingerprint)) throw notFound(`SSH key ${fingerprint} of "${name}"`);
    },

    /** The user an SSH public key belongs to (the key's wire blob, base64, as in authorized_keys). */
    userForSshKey(algo: string, keyBase64: string): { id: number; name: string; role: GlobalRole } | null {
      let fingerprint: string;
      try {
        fingerprint = parseSshKey(`${algo} ${keyBase64}`).fingerprint;
      } catch {
        return null;
      }
      const key = store.findKey(fingerprint);
      const user = key && store.userById(key.userId);
      return user ? { id: user.id, name: user.name, role: user.role } : null;
    },

    /** Ends every console session of a user; returns how many there were. */
    signOutEverywhere(caller: Principal, name: string) {
      const user = find(name);
      mayActOn(caller, user, "sign out");
      return store.deleteSessionsOf(user.id);
    },

    /** Oneself, or an admin for users up to their role. Every session of the user ends. */
    /**
     * Before a change that outlives the session (a password, an API token), a caller signed in
     * through the console proves it is still them with their password, as GitHub's sudo mode
     * does: a session is a browser's cookie, which a script on a page could ride, while a token
     * is the CLI's. A wrong password ends every console session of the user, so a stolen cookie
     * gets one guess.
     */
    async confirmPresence(caller: Principal, currentPassword: string | undefined): Promise<void> {
      if (caller.via !== "session") return;
      const hash = store.passwordHash(caller.user.id);
      if (!hash) return;
      if (currentPassword === undefined) throw forbidden("through a console session this needs your current password too (currentPassword)");
      if (await deps.hasher.verify(currentPassword, hash)) return;
      store.deleteSessionsOf(caller.user.id);
      throw forbidden("your current password is wrong; you are signed out of the console");
    },

    async setPassword(caller: Principal, name: string, password: string) {
      const user = find(name);
      mayActOn(caller, user, "set the password of");
      checkPassword(password, user.name);
      store.setPasswordHash(user.id, await deps.hasher.hash(password));
      // A link sent earlier must not reset the password just set (it may be the reason for it).
      store.deleteInvitationsOf(user.id);
      store.deleteSessionsOf(user.id);
    },

    /** The user whose name and password these are; one vague answer for every refusal. */
    async verifyLogin(name: string, password: string): Promise<UserRecord> {
      const user = store.findUser(name);
      const hash = user ? store.passwordHash(user.id) : null;
      const ok = hash ? await deps.hasher.verify(password, hash) : await deps.hasher.verify(password, await (decoy ??= deps.hasher.hash(randomBytes(16).toString("hex"))));
      if (!user || !hash || !ok) throw unauthorized("wrong user name or password");
      return user;
    },

    invitation(token: string) {
      const found = liveInvitation(token);
      return { user: store.userById(found.userId)!.name, expiresAt: found.expiresAt };
    },

    /** Sets the password an invitation asks for; the link is then used up. */
    async acceptInvitation(token: string, password: string): Promise<UserRecord> {
      const found = liveInvitation(token);
      const user = store.userById(found.userId)!;
      checkPassword(password, user.name);
      // Used up before the slow hash: of two requests at once with the same link, one wins.
      if (store.deleteInvitationsOf(user.id) === 0) throw notFound("invitation (it may have expired or been used)");
      store.setPasswordHash(user.id, await deps.hasher.hash(password));
      // A new link resets a forgotten password: whoever held the old one is signed out.
      store.deleteSessionsOf(user.id);
      return store.userById(user.id)!;
    },
  };
}

export type Users = ReturnType<typeof createUsers>;
