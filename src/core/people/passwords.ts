import commonText from "./common-passwords.txt" with { type: "text" };
import { invalid } from "../errors.ts";

const MIN_PASSWORD_LENGTH = 10;
/** argon2 hashes whatever it is given: a bound keeps one request from costing seconds. */
const MAX_PASSWORD_LENGTH = 256;

const COMMON = new Set(commonText.split("\n").filter(Boolean));

/** Hashing and checking passwords (argon2id in production), passed in so core stays free of Bun. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
}

/** Refuses short, very common and name-like passwords with one line saying which rule failed. */
export function checkPassword(password: string, userName: string) {
  const issue = (message: string) => invalid(`the password ${message}`, [{ path: "password", message }]);
  if (password.length < MIN_PASSWORD_LENGTH) throw issue(`must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw issue(`must have at most ${MAX_PASSWORD_LENGTH} characters`);
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) throw issue("is one of the most common passwords: choose another");
  if (lower.includes(userName.toLowerCase())) throw issue("must not contain the user name");
}
