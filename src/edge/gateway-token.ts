import { SignJWT, decodeJwt, jwtVerify } from "jose";

/** Gateway tokens live 15 minutes: short enough that a revoked client stops soon. */
export const TOKEN_TTL_SECONDS = 15 * 60;

export type TokenCheck = { clientId: string; expiresAtMs: number } | { error: string };

/** A token for `clientId` on environment `audience` (`<project>/<env>`); `nowMs` lets tests mint expired ones. */
export function signGatewayToken(
  key: Uint8Array,
  claims: { clientId: string; audience: string; ttlSeconds?: number; nowMs?: number },
): Promise<string> {
  const iat = Math.floor((claims.nowMs ?? Date.now()) / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.clientId)
    .setAudience(claims.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (claims.ttlSeconds ?? TOKEN_TTL_SECONDS))
    .sign(key);
}

/** Checks signature, algorithm, audience and expiry; the error strings go to the caller as they are. */
export async function verifyGatewayToken(key: Uint8Array, token: string, audience: string): Promise<TokenCheck> {
  let claimed: unknown;
  try {
    claimed = decodeJwt(token).aud;
  } catch {
    return { error: "invalid token" };
  }
  // Checked before the signature only to name the mistake: another environment's key would fail anyway.
  if (claimed !== audience && !(Array.isArray(claimed) && claimed.includes(audience))) {
    return { error: "token is for another environment" };
  }
  try {
    const { payload } = await jwtVerify(token, key, { audience, algorithms: ["HS256"], requiredClaims: ["sub", "exp"] });
    return { clientId: payload.sub!, expiresAtMs: payload.exp! * 1000 };
  } catch (error) {
    return { error: (error as { code?: string }).code === "ERR_JWT_EXPIRED" ? "token expired" : "invalid token" };
  }
}
