import { createHash, timingSafeEqual } from "node:crypto";
import { retryAfterSeconds, type LoginGuard } from "../lib/throttle.ts";
import type { Credentials } from "./credentials.ts";
import { gatewaySigningKey } from "./gateway-key.ts";
import { signGatewayToken, TOKEN_TTL_SECONDS, verifyGatewayToken } from "./gateway-token.ts";
import { jsonError } from "./responses.ts";
import type { GatewayHost, Route, RouteTable } from "./route-table.ts";

interface Verified {
  clientId: string;
  audience: string;
  expiresAtMs: number;
}

const MAX_CACHED = 10_000;
const MAX_AUTH_BODY = 16 * 1024;
const BEARER = { "www-authenticate": 'Bearer realm="gateway"' };
// Compared against when the client id is unknown, so a miss costs what a wrong secret costs.
const NO_SUCH_CLIENT = Buffer.from("0".repeat(64));

const tooManyLogins = (retryAfterMs: number) => {
  const seconds = retryAfterSeconds(retryAfterMs);
  return jsonError(429, `too many failed logins: try again in ${seconds} s`, { "retry-after": String(seconds) });
};

/**
 * The API gateway of each environment: `POST /auth` trades a client id and secret for a
 * token, and gateway routes only let requests through with a valid one. `masterKey` reads
 * `<dataDir>/secret.key`, which appears only once `berth serve` has run; null until then.
 * Clients come from a table refreshed before each decision (see credentials.ts); failed logins feed the
 * guard, which refuses a blocked IP before the body is read and a blocked client id before
 * its secret is checked.
 */
export function createGateway(options: { masterKey: () => Buffer | null; guard: LoginGuard; credentials: Credentials }) {
  const { guard, credentials } = options;
  const keys = new Map<string, Uint8Array>();
  // Verified tokens, so the hot path skips the HMAC: a client reuses its token for 15 minutes.
  const verified = new Map<string, Verified>();

  const keyFor = (project: string, environment: string, audience: string) => {
    let key = keys.get(audience);
    if (key) return key;
    const master = options.masterKey();
    if (!master) return null;
    keys.set(audience, (key = gatewaySigningKey(master, project, environment)));
    return key;
  };

  /** `POST /auth` with `{"clientId","clientSecret"}` → `{"token","expiresIn"}`. */
  async function issue(req: Request, gateway: GatewayHost, table: RouteTable, ip: string): Promise<Response> {
    if (req.method !== "POST") return jsonError(405, "use POST /auth", { allow: "POST" });
    const blockedIp = guard.retryAfterMs(ip, null);
    if (blockedIp > 0) return tooManyLogins(blockedIp);
    // The one body the edge reads whole: a declared, small length keeps that cheap.
    const declared = req.headers.get("content-length");
    if (declared === null) return jsonError(411, "send the body with a Content-Length");
    if (Number(declared) > MAX_AUTH_BODY) return jsonError(413, "body too large");
    let body: { clientId?: unknown; clientSecret?: unknown };
    try {
      body = (await req.json()) as typeof body;
    } catch {
      return jsonError(400, 'expected a JSON body {"clientId","clientSecret"}');
    }
    const { clientId, clientSecret } = body ?? {};
    if (typeof clientId !== "string" || typeof clientSecret !== "string" || clientId.length > 256 || clientSecret.length > 1024) {
      return jsonError(400, 'expected a JSON body {"clientId","clientSecret"}');
    }
    const credential = `client:${clientId}`;
    const blocked = guard.retryAfterMs(ip, credential);
    if (blocked > 0) return tooManyLogins(blocked);
    const client = credentials.client(table, clientId);
    const expected = client && client.project === gateway.project && client.environment === gateway.environment ? client.secretHash : null;
    const given = Buffer.from(createHash("sha256").update(clientSecret).digest("hex"));
    const same = timingSafeEqual(given, expected?.length === 64 ? Buffer.from(expected) : NO_SUCH_CLIENT);
    if (!expected || !same) return guard.failed(ip, credential), jsonError(401, "invalid client credentials");
    guard.succeeded(ip, credential);
    const key = keyFor(gateway.project, gateway.environment, gateway.audience);
    if (!key) return jsonError(503, "the gateway is not ready (no key yet)");
    const token = await signGatewayToken(key, { clientId, audience: gateway.audience });
    return Response.json({ token, expiresIn: TOKEN_TTL_SECONDS }, { headers: { "cache-control": "no-store" } });
  }

  /** The client id of a request with a valid bearer token for this route's environment, or the 401 to send. */
  async function check(req: Request, route: Route, table: RouteTable): Promise<string | Response> {
    const header = req.headers.get("authorization");
    if (!header || header.length < 8 || header.slice(0, 7).toLowerCase() !== "bearer ") {
      return jsonError(401, "missing bearer token (get one with POST /auth)", BEARER);
    }
    const token = header.slice(7).trim();
    const now = Date.now();
    let hit = verified.get(token);
    if (!hit || hit.expiresAtMs <= now || hit.audience !== route.audience) {
      const key = keyFor(route.project, route.environment, route.audience);
      if (!key) return jsonError(503, "the gateway is not ready (no key yet)");
      const result = await verifyGatewayToken(key, token, route.audience);
      if ("error" in result) return jsonError(401, result.error, BEARER);
      if (verified.size >= MAX_CACHED) verified.clear();
      verified.set(token, (hit = { clientId: result.clientId, audience: route.audience, expiresAtMs: result.expiresAtMs }));
    }
    // A revoked client's tokens stop working with the next request.
    const client = credentials.client(table, hit.clientId);
    if (!client || client.project !== route.project || client.environment !== route.environment) {
      return jsonError(401, "client revoked", BEARER);
    }
    return hit.clientId;
  }

  return { issue, check };
}
