import type { GlobalRole, Role } from "../core/roles.ts";

export interface UserRecord {
  id: number;
  name: string;
  role: GlobalRole;
  hasPassword: boolean;
  createdAt: string;
}

export interface SshKeyRecord {
  fingerprint: string;
  userId: number;
  algo: string;
  blob: string;
  comment: string;
  createdAt: string;
}

export interface GrantRecord {
  project: string;
  role: Role;
}

export interface SessionRecord {
  userId: number;
  ip: string | null;
  createdAt: string;
  lastSeenAt: string;
}

/** Users, their keys and per-project grants, console sessions and invitations; secrets only as hashes. */
export interface UserStore {
  listUsers(): UserRecord[];
  findUser(name: string): UserRecord | null;
  userById(id: number): UserRecord | null;
  createUser(name: string, role: GlobalRole, passwordHash: string | null): UserRecord;
  setRole(userId: number, role: GlobalRole): void;
  setPasswordHash(userId: number, hash: string): void;
  passwordHash(userId: number): string | null;
  deleteUser(userId: number): boolean;
  countOwners(): number;

  listKeys(userId: number): SshKeyRecord[];
  findKey(fingerprint: string): SshKeyRecord | null;
  addKey(key: Omit<SshKeyRecord, "createdAt">): SshKeyRecord;
  deleteKey(userId: number, fingerprint: string): boolean;

  /** Every grant of a user, by project name. */
  grantsOf(userId: number): GrantRecord[];
  /** Grants on a project, with the users' names; null when the project does not exist. */
  membersOf(project: string): { user: string; role: Role }[] | null;
  /** False when the project does not exist. */
  setGrant(userId: number, project: string, role: Role): boolean;
  deleteGrant(userId: number, project: string): boolean;

  createSession(hash: string, userId: number, ip: string | null, now: string): void;
  findSession(hash: string): SessionRecord | null;
  touchSession(hash: string, now: string): void;
  deleteSession(hash: string): void;
  deleteSessionsOf(userId: number): number;
  deleteSessionsIdleSince(before: string): void;

  createInvitation(hash: string, userId: number, expiresAt: string): void;
  findInvitation(hash: string): { userId: number; expiresAt: string } | null;
  /** Returns how many there were. */
  deleteInvitationsOf(userId: number): number;
}
