import { describe, expect, test } from "bun:test";
import { challengeToken, httpsLocation, usableCert } from "./https-redirect.ts";
import type { CertEntry } from "./route-table.ts";
import { selectCertificate } from "./tls-certs.ts";

const NOW = Date.parse("2026-12-01T00:00:00Z");
const cert = (notAfter: number): CertEntry => ({ certPem: "PEM", keySealed: "sealed", notAfter });
const certs = new Map([
  ["shop.example.com", cert(NOW + 1000)],
  ["old.example.com", cert(NOW - 1)],
]);

describe("SNI selection", () => {
  test("an exact, unexpired match; case and a trailing dot do not matter", () => {
    expect(selectCertificate(certs, "shop.example.com", NOW)).toBe(certs.get("shop.example.com")!);
    expect(selectCertificate(certs, "SHOP.Example.com.", NOW)).toBe(certs.get("shop.example.com")!);
  });
  test("no name, an unknown name, a parent or child name, or an expired certificate: none (the fallback)", () => {
    expect(selectCertificate(certs, undefined, NOW)).toBeNull();
    expect(selectCertificate(certs, "", NOW)).toBeNull();
    expect(selectCertificate(certs, "other.example.com", NOW)).toBeNull();
    expect(selectCertificate(certs, "example.com", NOW)).toBeNull();
    expect(selectCertificate(certs, "www.shop.example.com", NOW)).toBeNull();
    expect(selectCertificate(certs, "old.example.com", NOW)).toBeNull();
  });
});

describe("redirect rules", () => {
  const valid = usableCert(certs, "shop.example.com", NOW);
  test("308 target keeps host, path and query; port 443 is left out", () => {
    expect(httpsLocation({ https: "redirect" }, valid, "shop.example.com", "/a/b?c=1", 443)).toBe("https://shop.example.com/a/b?c=1");
    expect(httpsLocation({ https: "redirect" }, valid, "shop.example.com", "/", 8443)).toBe("https://shop.example.com:8443/");
  });
  test("no redirect without a valid certificate, for `https: optional`, or with HTTPS off", () => {
    expect(httpsLocation({ https: "redirect" }, usableCert(certs, "old.example.com", NOW), "old.example.com", "/", 443)).toBeNull();
    expect(httpsLocation({ https: "redirect" }, usableCert(certs, "new.example.com", NOW), "new.example.com", "/", 443)).toBeNull();
    expect(httpsLocation({ https: "optional" }, valid, "shop.example.com", "/", 443)).toBeNull();
    expect(httpsLocation({ https: "redirect" }, valid, "shop.example.com", "/", null)).toBeNull();
  });
  test("challenge paths are recognised by their token only", () => {
    expect(challengeToken("/.well-known/acme-challenge/abc_DEF-123")).toBe("abc_DEF-123");
    expect(challengeToken("/.well-known/acme-challenge/abc?x=1")).toBe("abc");
    expect(challengeToken("/.well-known/acme-challenge/")).toBeNull();
    expect(challengeToken("/.well-known/acme-challenge/../etc")).toBeNull();
    expect(challengeToken("/other")).toBeNull();
  });
});
