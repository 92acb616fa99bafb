import { retryAfterSeconds, type LoginGuard } from "../lib/throttle.ts";
import type { Credentials } from "./credentials.ts";
import { text } from "./responses.ts";
import type { Route, RouteTable } from "./route-table.ts";

interface Verified {
  username: string;
  passwordHash: string;
  untilMs: number;
}

const MAX_CACHED = 10_000;

const tooManyLogins = (retryAfterMs: number) => {
  const seconds = retryAfterSeconds(retryAfterMs);
  return text(429, `too many failed logins: try again in ${seconds} s`, { "retry-after": String(seconds) });
};

/**
 * HTTP basic auth for password-protected websites. argon2id costs tens to hundreds of ms by
 * design, far too much per request (a page loads dozens of assets), so a success is remembered
 * for `cacheMs` under a SHA-256 of realm and header: the cache never holds the password itself.
 * A cached entry counts only while the user still has the same hash in the DB, so a changed or
 * removed password takes effect with the next request. Failures feed the login guard; while it
 * blocks an IP or a user name the password is not even looked at.
 */
export function createBasicAuth(options: {
  cacheMs: number;
  guard: LoginGuard;
  credentials: Credentials;
  verify?: (password: string, hash: string) => Promise<boolean>;
  /** A hash no password matches, made on first need. */
  decoyHash?: () => Promise<string>;
}) {
  const { guard, credentials } = options;
  const verify = options.verify ?? ((password: string, hash: string) => Bun.password.verify(password, hash));
  let decoy: Promise<string> | null = null;
  const decoyHash = options.decoyHash ?? (() => (decoy ??= Bun.password.hash(crypto.randomUUID())));
  const cache = new Map<string, Verified>();

  const challenge = (route: Route) => text(401, "authentication required", { "www-authenticate": `Basic realm="${route.block}"` });

  return async function checkBasic(req: Request, route: Route, table: RouteTable, client: string): Promise<Response | null> {
    const header = req.headers.get("authorization");
    // A browser's first request carries no credentials: that is a question, not a failed login.
    if (!header || header.length < 7 || header.slice(0, 6).toLowerCase() !== "basic ") return challenge(route);
    const blockedIp = guard.retryAfterMs(client, null);
    if (blockedIp > 0) return tooManyLogins(blockedIp);

    const key = Bun.CryptoHasher.hash("sha256", `${route.realm}\n${header}`, "base64");
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && hit.untilMs > now && credentials.passwordHash(table, route, hit.username) === hit.passwordHash) return null;

    const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    // No user name is longer than 64 (the API refuses them): a longer one is no credential worth remembering.
    if (colon < 1 || colon > 64) return guard.failed(client, null), challenge(route);
    const username = decoded.slice(0, colon);
    const credential = `basic:${route.realm}:${username}`;
    const blocked = guard.retryAfterMs(client, credential);
    if (blocked > 0) return tooManyLogins(blocked);
    const passwordHash = credentials.passwordHash(table, route, username);
    let ok = false;
    try {
      // An unknown user is checked against a decoy, so the time of the answer does not tell which user names exist.
      ok = (await verify(decoded.slice(colon + 1), passwordHash || (await decoyHash()))) && Boolean(passwordHash);
    } catch {
      ok = false; // a malformed hash in the DB locks the user out rather than crashing the edge
    }
    if (!ok) return guard.failed(client, credential), challenge(route);
    guard.succeeded(client, credential);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, { username, passwordHash: passwordHash!, untilMs: now + options.cacheMs });
    return null;
  };
}
