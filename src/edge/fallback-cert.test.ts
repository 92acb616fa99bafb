import { expect, test } from "bun:test";
import { X509Certificate, createPrivateKey } from "node:crypto";
import { fallbackCertificate } from "./fallback-cert.ts";

test("the fallback certificate is a valid self-signed P-256 certificate for ten years, with its key", async () => {
  const now = Date.UTC(2026, 0, 15);
  const { cert, key } = await fallbackCertificate(now);
  const parsed = new X509Certificate(cert);
  expect(parsed.subject).toBe("CN=berth edge fallback");
  expect(parsed.issuer).toBe(parsed.subject);
  expect(parsed.verify(parsed.publicKey)).toBe(true);
  expect(new Date(parsed.validFrom).getTime()).toBe(now - 86_400_000);
  expect(new Date(parsed.validTo).getTime()).toBe(now + 3650 * 86_400_000);
  expect(parsed.checkPrivateKey(createPrivateKey(key))).toBe(true);
  // Two starts, two certificates: nothing is shared between installations.
  expect((await fallbackCertificate(now)).cert).not.toBe(cert);
});
