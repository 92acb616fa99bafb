import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { gatewaySigningKey } from "./gateway-key.ts";
import { signGatewayToken, verifyGatewayToken } from "./gateway-token.ts";

const master = Buffer.alloc(32, 7);

describe("gateway signing key", () => {
  test("is HMAC-SHA256 of gateway:<project>/<env> under the master key", () => {
    const key = gatewaySigningKey(master, "shop", "prod");
    const expected = createHmac("sha256", master).update("gateway:shop/prod").digest();
    expect(Buffer.from(key).equals(expected)).toBe(true);
    expect(key).toHaveLength(32);
  });

  test("differs per environment, per project and per master key", () => {
    const hex = (k: Uint8Array) => Buffer.from(k).toString("hex");
    const base = hex(gatewaySigningKey(master, "shop", "prod"));
    expect(hex(gatewaySigningKey(master, "shop", "dev"))).not.toBe(base);
    expect(hex(gatewaySigningKey(master, "blog", "prod"))).not.toBe(base);
    expect(hex(gatewaySigningKey(Buffer.alloc(32, 8), "shop", "prod"))).not.toBe(base);
    expect(hex(gatewaySigningKey(master, "shop", "prod"))).toBe(base);
  });
});

describe("gateway tokens", () => {
  const key = gatewaySigningKey(master, "shop", "prod");

  test("carry sub, aud and a 15-minute exp, signed HS256", async () => {
    const token = await signGatewayToken(key, { clientId: "gc_1", audience: "shop/prod", nowMs: 1_700_000_000_000 });
    expect(decodeProtectedHeader(token).alg).toBe("HS256");
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: "gc_1", aud: "shop/prod", iat: 1_700_000_000, exp: 1_700_000_900 });
  });

  test("a fresh token verifies to its client id", async () => {
    const token = await signGatewayToken(key, { clientId: "gc_1", audience: "shop/prod" });
    const result = await verifyGatewayToken(key, token, "shop/prod");
    expect(result).toMatchObject({ clientId: "gc_1" });
    expect((result as { expiresAtMs: number }).expiresAtMs).toBeGreaterThan(Date.now() + 14 * 60_000);
  });

  test("expired, tampered, foreign and garbage tokens are refused with a reason", async () => {
    const expired = await signGatewayToken(key, { clientId: "gc_1", audience: "shop/prod", nowMs: Date.now() - 3_600_000 });
    expect(await verifyGatewayToken(key, expired, "shop/prod")).toEqual({ error: "token expired" });

    const good = await signGatewayToken(key, { clientId: "gc_1", audience: "shop/prod" });
    const [header, payload, signature] = good.split(".");
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(good), sub: "gc_admin" })).toString("base64url");
    expect(await verifyGatewayToken(key, `${header}.${forged}.${signature}`, "shop/prod")).toEqual({ error: "invalid token" });
    expect(await verifyGatewayToken(key, `${header}.${payload}.${signature!.slice(0, -2)}xx`, "shop/prod")).toEqual({ error: "invalid token" });

    const otherEnv = await signGatewayToken(gatewaySigningKey(master, "shop", "dev"), { clientId: "gc_1", audience: "shop/dev" });
    expect(await verifyGatewayToken(key, otherEnv, "shop/prod")).toEqual({ error: "token is for another environment" });
    // The right audience claimed under another environment's key still fails on the signature.
    const claimsProd = await signGatewayToken(gatewaySigningKey(master, "shop", "dev"), { clientId: "gc_1", audience: "shop/prod" });
    expect(await verifyGatewayToken(key, claimsProd, "shop/prod")).toEqual({ error: "invalid token" });

    expect(await verifyGatewayToken(key, "not-a-jwt", "shop/prod")).toEqual({ error: "invalid token" });
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${payload}.`;
    expect(await verifyGatewayToken(key, none, "shop/prod")).toEqual({ error: "invalid token" });
  });
});
