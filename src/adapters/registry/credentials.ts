import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { RegistryFiles } from "./files.ts";
import { writePrivate } from "../../lib/private-file.ts";

/** The one account: Distribution's htpasswd has no per-user rights, so a second (read-only) user would buy nothing. */
export const REGISTRY_USER = "berth";

/** 24 random bytes in base64url, as Berth makes it. */
const PASSWORD = /^[A-Za-z0-9_-]{32}$/;

export interface RegistryCredentials {
  username: string;
  password: string;
}

/**
 * `user:$2b$…`, the only hash Distribution's htpasswd reads (bcrypt; Go's bcrypt takes the $2b$
 * prefix). bcrypt's lowest cost: the password is 192 random bits, which no cost factor makes
 * harder to guess, while Distribution checks it on every request of every push and pull.
 */
export async function htpasswdLine(credentials: RegistryCredentials): Promise<string> {
  return `${credentials.username}:${await Bun.password.hash(credentials.password, { algorithm: "bcrypt", cost: 4 })}\n`;
}

/**
 * The registry's password (made once, kept 0600) and the htpasswd line for it, rewritten only
 * when it no longer matches. 32 characters: within bcrypt's 72 bytes, past which Bun would
 * pre-hash the password and Distribution's check would no longer agree.
 */
export async function ensureCredentials(files: RegistryFiles): Promise<RegistryCredentials> {
  // Anything but what Berth writes (empty after a crash, edited by hand, longer than bcrypt takes) is made anew.
  const kept = existsSync(files.password) ? readFileSync(files.password, "utf8").trim() : "";
  const password = PASSWORD.test(kept) ? kept : randomBytes(24).toString("base64url");
  if (password !== kept) writePrivate(files.password, `${password}\n`);
  const credentials = { username: REGISTRY_USER, password };
  const line = existsSync(files.htpasswd) ? readFileSync(files.htpasswd, "utf8").trim() : "";
  const [user, hash] = [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1)];
  const matches = user === credentials.username && hash.startsWith("$2") && (await Bun.password.verify(credentials.password, hash).catch(() => false));
  if (!matches) writePrivate(files.htpasswd, await htpasswdLine(credentials));
  return credentials;
}

/**
 * The secret Distribution signs upload state with: random, made once and kept 0600 in its own
 * file, so every start writes the same config.yml and nothing about it follows from the password.
 */
export function ensureHttpSecret(files: RegistryFiles): string {
  const kept = existsSync(files.httpSecret) ? readFileSync(files.httpSecret, "utf8").trim() : "";
  if (/^[0-9a-f]{64}$/.test(kept)) return kept;
  const secret = randomBytes(32).toString("hex");
  writePrivate(files.httpSecret, `${secret}\n`);
  return secret;
}
