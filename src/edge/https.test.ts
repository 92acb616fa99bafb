import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as x509 from "@peculiar/x509";
import { eq } from "drizzle-orm";
import { connect } from "node:tls";
import { createSecretBox } from "../adapters/crypto/secret-box.ts";
import { acmeChallenges, certificates, edgeRoutes } from "../adapters/store/schema.ts";
import { startEdge, type Edge } from "./server.ts";
import { eventually, stateDir, upstream } from "./test-fixtures.ts";

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

/** A CA and leaf certificates it signs, as a test's own small PKI. */
async function testCa() {
  const caKeys = await crypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
  const now = Date.now();
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    { serialNumber: "01", name: "CN=edge test CA", notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000), keys: caKeys, signingAlgorithm: ALG, extensions: [new x509.BasicConstraintsExtension(true, undefined, true)] },
    crypto,
  );
  let serial = 2;
  return {
    pem: ca.toString("pem"),
    async leaf(host: string, label = host) {
      const keys = await crypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
      const cert = await x509.X509CertificateGenerator.create(
        {
          serialNumber: (serial++).toString(16).padStart(2, "0"),
          subject: `CN=${label}`,
          issuer: ca.subject,
          notBefore: new Date(now - 60_000),
          notAfter: new Date(now + 3_600_000),
          publicKey: keys.publicKey,
          signingKey: caKeys.privateKey,
          signingAlgorithm: ALG,
          extensions: [new x509.SubjectAlternativeNameExtension([{ type: "dns", value: host }])],
        },
        crypto,
      );
      return { cert: cert.toString("pem"), key: x509.PemConverter.encode(await crypto.subtle.exportKey("pkcs8", keys.privateKey), "PRIVATE KEY") };
    },
  };
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The CN of the certificate the edge presented. */
  servedCN: string;
}

/** A chunked body's data, its framing removed. */
function unchunk(raw: string): string {
  let out = "";
  let at = 0;
  for (;;) {
    const eol = raw.indexOf("\r\n", at);
    const size = parseInt(raw.slice(at, eol), 16);
    if (!size) return out;
    out += raw.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

/** One HTTP/1.1 request over TLS with the given SNI name (none: no SNI), read to the end. */
function httpsRequest(port: number, serverName: string | null, host: string, path = "/", extra = ""): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, servername: serverName ?? undefined, rejectUnauthorized: false }, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n${extra}\r\n`);
    });
    let raw = "";
    socket.on("data", (chunk) => (raw += chunk.toString()));
    socket.on("error", reject);
    socket.on("end", () => {
      const servedCN = String(socket.getPeerCertificate()?.subject?.CN ?? "");
      const [head, ...rest] = raw.split("\r\n\r\n");
      const [statusLine, ...lines] = head!.split("\r\n");
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
      const body = rest.join("\r\n\r\n");
      resolve({ status: Number(statusLine!.split(" ")[1]), headers, body: headers["transfer-encoding"] === "chunked" ? unchunk(body) : body, servedCN });
    });
  });
}

let state: ReturnType<typeof stateDir>;
let edge: Edge;
let httpsPort: number;
let ca: Awaited<ReturnType<typeof testCa>>;
const app = upstream("app");
const BIG = 8 * 1024 * 1024;
const big = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(new Uint8Array(BIG).fill(97)) });
const hour = () => new Date(Date.now() + 3_600_000).toISOString();

function putCert(host: string, pair: { cert: string; key: string }) {
  const row = { host, source: "imported" as const, status: "valid" as const, certPem: pair.cert, keySealed: createSecretBox(state.masterKey).seal(pair.key), notAfter: hour(), updatedAt: new Date().toISOString() };
  state.db.insert(certificates).values(row).onConflictDoUpdate({ target: certificates.host, set: row }).run();
}

beforeAll(async () => {
  state = stateDir();
  ca = await testCa();
  state.route({ host: "a.test", block: "a", ports: [app.port] });
  state.route({ host: "b.test", block: "b", ports: [app.port] });
  state.route({ host: "plain.test", block: "plain", ports: [app.port] });
  state.route({ host: "both.test", block: "both", ports: [app.port] });
  state.route({ host: "big.test", block: "big", ports: [big.port!] });
  state.db.update(edgeRoutes).set({ https: "optional" }).run();
  state.db.update(edgeRoutes).set({ https: "redirect", hsts: true }).where(eqHost("a.test")).run();
  state.db.update(edgeRoutes).set({ https: "redirect" }).where(eqHost("plain.test")).run();
  putCert("a.test", await ca.leaf("a.test"));
  putCert("both.test", await ca.leaf("both.test"));
  putCert("big.test", await ca.leaf("big.test"));
  edge = await startEdge({ dataDir: state.dataDir, listen: "127.0.0.1:0", httpsListen: "127.0.0.1:0", metricsListen: "127.0.0.1:0", domain: "localhost", pollMs: 100 });
  httpsPort = Number(new URL(edge.httpsUrl!).port);
});

const eqHost = (host: string) => eq(edgeRoutes.host, host);

afterAll(async () => {
  await edge?.stop();
  app.stop();
  big.stop(true);
  state?.close();
});

describe("HTTPS on the edge", () => {
  test("SNI picks the host's certificate; the app sees X-Forwarded-Proto: https", async () => {
    const answer = await httpsRequest(httpsPort, "a.test", "a.test", "/hello");
    expect(answer.servedCN).toBe("a.test");
    expect(answer.status).toBe(200);
    const seen = app.seen.at(-1)!;
    expect(seen.path).toBe("/hello");
    expect(seen.headers["x-forwarded-proto"]).toBe("https");
    expect(seen.headers["x-forwarded-for"]).toBe("127.0.0.1");
  });

  test("HSTS only where the block asked for it", async () => {
    expect((await httpsRequest(httpsPort, "a.test", "a.test")).headers["strict-transport-security"]).toBe("max-age=31536000");
    expect((await httpsRequest(httpsPort, "both.test", "both.test")).headers["strict-transport-security"]).toBeUndefined();
  });

  test("an unknown name, or none, gets the self-signed fallback and a 404, never another site's certificate", async () => {
    const unknown = await httpsRequest(httpsPort, "nobody.test", "nobody.test");
    expect(unknown.servedCN).toBe("berth edge fallback");
    expect(unknown.status).toBe(404);
    const none = await httpsRequest(httpsPort, null, "a.test");
    expect(none.servedCN).toBe("berth edge fallback");
    // A routed host without its certificate still gets the fallback, not a.test's.
    expect((await httpsRequest(httpsPort, "b.test", "b.test")).servedCN).toBe("berth edge fallback");
  });

  test("a Host other than the TLS name is refused with 421", async () => {
    const answer = await httpsRequest(httpsPort, "a.test", "both.test");
    expect(answer.status).toBe(421);
  });

  test("plain HTTP gets 308 to HTTPS once the host has a certificate, unless the block opted out", async () => {
    const redirected = await fetch(`${edge.url}/path?q=1`, { headers: { host: "a.test" }, redirect: "manual" });
    expect(redirected.status).toBe(308);
    expect(redirected.headers.get("location")).toBe(`https://a.test:${httpsPort}/path?q=1`);
    // No certificate yet: served as it is.
    expect((await fetch(`${edge.url}/`, { headers: { host: "plain.test" }, redirect: "manual" })).status).toBe(200);
    // `https: optional`: both schemes serve.
    expect((await fetch(`${edge.url}/`, { headers: { host: "both.test" }, redirect: "manual" })).status).toBe(200);
    expect((await fetch(`${edge.url}/`, { headers: { host: "both.test" }, redirect: "manual" })).headers.get("x-upstream")).toBe("app");
  });

  test("ACME challenges are answered on HTTP for any host, before routes and redirects", async () => {
    state.db.insert(acmeChallenges).values({ token: "tok_123-abc", keyAuthorization: "tok_123-abc.thumbprint", host: "a.test" }).run();
    for (const host of ["a.test", "not-routed.example"]) {
      const answer = await fetch(`${edge.url}/.well-known/acme-challenge/tok_123-abc`, { headers: { host }, redirect: "manual" });
      expect(answer.status).toBe(200);
      expect(await answer.text()).toBe("tok_123-abc.thumbprint");
    }
    expect((await fetch(`${edge.url}/.well-known/acme-challenge/unknown`, { headers: { host: "a.test" }, redirect: "manual" })).status).toBe(404);
  });

  test("a new certificate is served without a restart, while an open connection goes on", async () => {
    const before = await httpsRequest(httpsPort, "plain.test", "plain.test");
    expect(before.servedCN).toBe("berth edge fallback");
    // A keep-alive connection opened before the change.
    const socket = connect({ host: "127.0.0.1", port: httpsPort, servername: "a.test", rejectUnauthorized: false });
    await new Promise((r) => socket.once("secureConnect", r));
    let received = "";
    socket.on("data", (c) => (received += c.toString()));
    socket.write("GET /one HTTP/1.1\r\nHost: a.test\r\n\r\n");
    await eventually(() => received.includes("200 OK"));

    putCert("plain.test", await ca.leaf("plain.test", "plain.test v1"));
    await eventually(async () => (await httpsRequest(httpsPort, "plain.test", "plain.test")).servedCN === "plain.test v1", 5000);
    putCert("plain.test", await ca.leaf("plain.test", "plain.test v2"));
    await eventually(async () => (await httpsRequest(httpsPort, "plain.test", "plain.test")).servedCN === "plain.test v2", 5000);

    received = "";
    socket.write("GET /two HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n");
    await eventually(() => received.includes("200 OK"));
    socket.destroy();
    expect(app.seen.some((s) => s.path === "/two")).toBe(true);
  });

  test("a large answer arrives whole, the connection closing after it", async () => {
    const answer = await httpsRequest(httpsPort, "big.test", "big.test");
    expect(answer.status).toBe(200);
    expect(answer.body).toBe("a".repeat(BIG));
  });

  test("websockets work over wss://", async () => {
    const ws = new WebSocket(`wss://127.0.0.1:${httpsPort}/chat`, { headers: { host: "a.test" }, tls: { rejectUnauthorized: false, serverName: "a.test" } } as never);
    const first = await new Promise<string>((resolve, reject) => {
      ws.onmessage = (m) => resolve(String(m.data));
      ws.onerror = () => reject(new Error("websocket failed"));
    });
    expect(first).toBe("hello from app");
    ws.close();
    expect(app.seen.find((s) => s.method === "WS")?.headers["x-forwarded-proto"]).toBe("https");
  });

  test("the metrics listener reports each certificate's remaining lifetime", async () => {
    const text = await (await fetch(`${edge.metricsUrl}/metrics`)).text();
    const line = text.split("\n").find((l) => l.startsWith('berth_certificate_expiry_seconds{host="a.test"}'));
    expect(line).toBeDefined();
    const seconds = Number(line!.split(" ")[1]);
    expect(seconds).toBeGreaterThan(3000);
    expect(seconds).toBeLessThanOrEqual(3600);
  });
});
