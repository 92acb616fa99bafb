import { describe, expect, test } from "bun:test";
import * as x509 from "@peculiar/x509";
import { randomBytes } from "node:crypto";
import { createSecretBox } from "../../adapters/crypto/secret-box.ts";
import { createCertStore } from "../../adapters/store/cert-store.ts";
import { migrate, openDb } from "../../adapters/store/db.ts";
import { edgeRoutes } from "../../adapters/store/schema.ts";
import { AcmeFailure, type AcmeIssuer } from "../../ports/acme.ts";
import { createCertManager } from "./cert-manager.ts";
import { createCerts } from "./certs.ts";
import { certificateHosts } from "./hosts.ts";
import { backoffMs, renewalTime } from "./schedule.ts";

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const HOUR = 3_600_000;

async function selfSigned(host: string, from: number, lifetimeMs: number) {
  const keys = await crypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    { serialNumber: "0a", name: "CN=Test CA", notBefore: new Date(from), notAfter: new Date(from + lifetimeMs), keys, signingAlgorithm: ALG, extensions: [new x509.SubjectAlternativeNameExtension([{ type: "dns", value: host }])] },
    crypto,
  );
  return { certPem: cert.toString("pem"), keyPem: x509.PemConverter.encode(await crypto.subtle.exportKey("pkcs8", keys.privateKey), "PRIVATE KEY") };
}

function setup() {
  const db = openDb(":memory:");
  migrate(db);
  const store = createCertStore(db);
  const box = createSecretBox(randomBytes(32));
  let now = Date.parse("2026-12-01T00:00:00.000Z");
  const orders: string[] = [];
  const published: string[] = [];
  const failing = new Map<string, AcmeFailure>();
  const issuer: AcmeIssuer = {
    async issue(host, hooks) {
      orders.push(host);
      await hooks.publish(`token-${orders.length}`, "key-authorization");
      published.push(`token-${orders.length}`);
      try {
        const failure = failing.get(host);
        if (failure) throw failure;
        return await selfSigned(host, now - 1000, 90 * 24 * HOUR);
      } finally {
        await hooks.withdraw(`token-${orders.length}`);
      }
    },
  };
  const expiring: string[] = [];
  const manager = createCertManager({ store, issuer, box, retryMs: 60_000, consoleHost: "berth.example.org", now: () => now, onExpiring: (record) => expiring.push(record.host) });
  const certs = createCerts({ store, box, manager, now: () => now });
  const route = (host: string) =>
    db.insert(edgeRoutes).values({ host, pathPrefix: "", project: "p", environment: "e", block: host.split(".")[0]!, auth: "none", upstreams: [], updatedAt: "x" }).run();
  const lines: string[] = [];
  const log = (line: string) => void lines.push(line);
  return { db, store, box, manager, certs, route, orders, failing, lines, log, expiring, advance: (ms: number) => (now += ms), now: () => now };
}

describe("which hosts get certificates", () => {
  test("public names and the console host; never localhost names or addresses", () => {
    expect(certificateHosts(["web.dev.shop.localhost", "localhost", "shop.example.com", "10.0.0.1", "Shop.Example.com", "x.203.0.113.9.sslip.io"], "berth.example.org")).toEqual([
      "berth.example.org",
      "shop.example.com",
      "x.203.0.113.9.sslip.io",
    ]);
  });
});

describe("the schedule", () => {
  test("renewal at two thirds of the lifetime; back-off doubles from the first wait up to a day", () => {
    expect(new Date(renewalTime("2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z")).toISOString()).toBe("2026-03-02T00:00:00.000Z");
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 60_000))).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(backoffMs(40, 60_000)).toBe(24 * HOUR);
  });
});

describe("the certificate manager", () => {
  test("orders each new public host once, stores the key sealed and plans the renewal", async () => {
    const s = setup();
    s.route("web.dev.shop.localhost");
    s.route("shop.example.com");
    await s.manager.check(s.log);
    expect(s.orders.sort()).toEqual(["berth.example.org", "shop.example.com"]);
    const record = s.store.get("shop.example.com")!;
    expect(record.status).toBe("valid");
    expect(record.keySealed).not.toContain("PRIVATE KEY");
    expect(s.box.open(record.keySealed!)).toContain("PRIVATE KEY");
    expect(record.nextAttemptAt).toBe(new Date(renewalTime(record.notBefore!, record.notAfter!)).toISOString());
    // The challenge rows are gone once the order is done.
    expect(s.db.$client.query("SELECT count(*) AS n FROM acme_challenges").get()).toEqual({ n: 0 });
    await s.manager.check(s.log);
    expect(s.orders).toHaveLength(2);
    expect(s.certs.list().find((c) => c.host === "shop.example.com")).toEqual({ host: "shop.example.com", source: "acme", status: "valid", issuer: "Test CA", notAfter: record.notAfter, reason: null, nextAttemptAt: record.nextAttemptAt });
  });

  test("a failure says why, backs off, and is retried when due", async () => {
    const s = setup();
    s.route("shop.example.com");
    s.failing.set("shop.example.com", new AcmeFailure("unreachable", "connection refused"));
    await s.manager.check(s.log);
    let view = s.certs.list().find((c) => c.host === "shop.example.com")!;
    expect(view.status).toBe("failed");
    expect(view.reason).toBe("challenge unreachable: connection refused");
    expect(Date.parse(view.nextAttemptAt!) - s.now()).toBe(60_000);
    s.advance(30_000);
    await s.manager.check(s.log);
    expect(s.orders.filter((h) => h === "shop.example.com")).toHaveLength(1);
    s.advance(30_000);
    await s.manager.check(s.log);
    expect(s.orders.filter((h) => h === "shop.example.com")).toHaveLength(2);
    view = s.certs.list().find((c) => c.host === "shop.example.com")!;
    expect(Date.parse(view.nextAttemptAt!) - s.now()).toBe(120_000);
    s.failing.delete("shop.example.com");
    s.advance(120_000);
    await s.manager.check(s.log);
    view = s.certs.list().find((c) => c.host === "shop.example.com")!;
    expect(view.status).toBe("valid");
    expect(view.reason).toBeNull();
  });

  test("renews at two thirds of the lifetime; a failed renewal keeps serving as `renewing`, and warns near expiry", async () => {
    const s = setup();
    s.route("shop.example.com");
    await s.manager.check(s.log);
    const first = s.store.get("shop.example.com")!;
    s.advance(Date.parse(first.nextAttemptAt!) - s.now() + 1);
    s.failing.set("shop.example.com", new AcmeFailure("rate_limited", "too many certificates"));
    await s.manager.check(s.log);
    const view = s.certs.list().find((c) => c.host === "shop.example.com")!;
    expect(view.status).toBe("renewing");
    expect(view.reason).toBe("rate limited by the CA: too many certificates");
    expect(s.store.get("shop.example.com")!.certPem).toBe(first.certPem);
    // Thirteen days before expiry, renewal still failing: one warning.
    s.advance(Date.parse(first.notAfter!) - s.now() - 13 * 24 * HOUR);
    await s.manager.check(s.log);
    await s.manager.check(s.log);
    expect(s.lines.filter((l) => l.includes("WARNING shop.example.com"))).toHaveLength(1);
    expect(s.expiring).toEqual(["shop.example.com"]);
    s.failing.delete("shop.example.com");
    s.advance(24 * HOUR);
    await s.manager.check(s.log);
    const renewed = s.store.get("shop.example.com")!;
    expect(renewed.status).toBe("valid");
    expect(Date.parse(renewed.notAfter!)).toBeGreaterThan(Date.parse(first.notAfter!));
  });
});

describe("import and renew by hand", () => {
  test("an imported certificate is checked, served as is and never renewed; renew hands it back to ACME", async () => {
    const s = setup();
    s.route("shop.example.com");
    const mine = await selfSigned("shop.example.com", s.now() - 1000, 30 * 24 * HOUR);
    const view = s.certs.import("Shop.Example.com", mine.certPem, mine.keyPem);
    expect(view).toMatchObject({ host: "shop.example.com", source: "imported", status: "valid" });
    s.advance(29 * 24 * HOUR);
    await s.manager.check(s.log);
    expect(s.orders).not.toContain("shop.example.com");
    s.certs.renew("shop.example.com");
    await s.manager.check(s.log);
    expect(s.orders).toContain("shop.example.com");
    expect(s.store.get("shop.example.com")!.source).toBe("acme");
  });

  test("a certificate for another name, a key of another certificate or garbage is refused in one line", async () => {
    const s = setup();
    const other = await selfSigned("other.example.com", s.now() - 1000, HOUR);
    const mine = await selfSigned("shop.example.com", s.now() - 1000, HOUR);
    expect(() => s.certs.import("shop.example.com", other.certPem, other.keyPem)).toThrow("cert: does not cover shop.example.com");
    expect(() => s.certs.import("shop.example.com", mine.certPem, other.keyPem)).toThrow("key: does not belong to the certificate");
    expect(() => s.certs.import("shop.example.com", "-----BEGIN CERTIFICATE-----\nxx", mine.keyPem)).toThrow("cert: not a PEM certificate");
    expect(() => s.certs.import("not a host", mine.certPem, mine.keyPem)).toThrow("not a host name");
    expect(s.store.list()).toEqual([]);
  });

  test("renew refuses localhost names and hosts nothing routes", () => {
    const s = setup();
    expect(() => s.certs.renew("web.dev.shop.localhost")).toThrow("localhost names never go to ACME");
    expect(() => s.certs.renew("nowhere.example.com")).toThrow("not found");
  });

  test("an order cut short by a stop of serve is made again at the next start", async () => {
    const s = setup();
    s.route("shop.example.com");
    // What a serve killed mid-order leaves: pending, no next attempt.
    s.store.put({ host: "shop.example.com", source: "acme", status: "pending", certPem: null, keySealed: null, issuer: null, notBefore: null, notAfter: null, reason: null, failures: 0, nextAttemptAt: null, warnedAt: null });
    await s.manager.check(s.log);
    expect(s.store.get("shop.example.com")!.status).toBe("valid");
  });
});
