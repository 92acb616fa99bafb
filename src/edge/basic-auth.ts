import { text } from "./responses.ts";
import type { Route, RouteTable } from "./route-table.ts";

interface Verified {
  username: string;
  passwordHash: string;
  untilMs: number;
}

const MAX_CACHED = 10_000;

/**
 * HTTP basic auth for password-protected websites. argon2id costs tens to hundreds of ms by
 * design, far too much per request (a page loads dozens of assets), so a success is remembered
 * for `cacheMs` under a SHA-256 of realm and header: the cache never holds the password itself.
 * A cached entry counts only while the user still has the same hash, so a changed or removed
 * password takes effect with the next table, not after the cache expires.
 */
export function createBasicAuth(options: { cacheMs: number }) {
  const cache = new Map<string, Verified>();

  const challenge = (route: Route) => text(401, "authentication required", { "www-authenticate": `Basic realm="${route.block}"` });

  return async function checkBasic(req: Request, route: Route, table: RouteTable): Promise<Response | null> {
    const header = req.headers.get("authorization");
    if (!header || header.length < 7 || header.slice(0, 6).toLowerCase() !== "basic ") return challenge(route);
    const users = table.users.get(route.realm);
    if (!users) return challenge(route);

    const key = Bun.CryptoHasher.hash("sha256", `${route.realm}\n${header}`, "base64");
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && hit.untilMs > now && users.get(hit.username) === hit.passwordHash) return null;

    const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 1) return challenge(route);
    const username = decoded.slice(0, colon);
    const passwordHash = users.get(username);
    if (!passwordHash) return challenge(route);
    let ok = false;
    try {
      ok = await Bun.password.verify(decoded.slice(colon + 1), passwordHash);
    } catch {
      ok = false; // a malformed hash in the DB locks the user out rather than crashing the edge
    }
    if (!ok) return challenge(route);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, { username, passwordHash, untilMs: now + options.cacheMs });
    return null;
  };
}
