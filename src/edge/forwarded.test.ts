import { describe, expect, test } from "bun:test";
import { clientAddress, forwardHeaders, plainAddress, trustedProxies } from "./forwarded.ts";

const forged = () =>
  new Headers({
    "x-forwarded-for": "203.0.113.9",
    "x-real-ip": "203.0.113.9",
    "x-forwarded-proto": "https",
    "x-forwarded-host": "evil.example",
    forwarded: "for=203.0.113.9;proto=https",
    "x-request-id": "req-42",
    connection: "keep-alive, x-hop",
    "x-hop": "1",
    te: "trailers",
  });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("forwarded headers", () => {
  test("from an untrusted peer, every claim is replaced by what the edge saw", () => {
    const none = trustedProxies([]);
    const headers = forged();
    forwardHeaders(headers, "198.51.100.7", clientAddress("198.51.100.7", headers, none), "web.localhost:8080", none);
    expect(headers.get("x-forwarded-for")).toBe("198.51.100.7");
    expect(headers.get("x-real-ip")).toBe("198.51.100.7");
    expect(headers.get("x-forwarded-proto")).toBe("http");
    expect(headers.get("x-forwarded-host")).toBe("web.localhost:8080");
    expect(headers.get("forwarded")).toBeNull();
    expect(headers.get("x-request-id")).toMatch(UUID);
    expect(headers.get("x-hop")).toBeNull();
    expect(headers.get("te")).toBeNull();
  });

  test("from a trusted proxy, its headers are kept and the proxy is appended", () => {
    const trusted = trustedProxies(["10.0.0.0/8"]);
    const headers = forged();
    forwardHeaders(headers, "10.1.2.3", clientAddress("10.1.2.3", headers, trusted), "web.localhost", trusted);
    expect(headers.get("x-forwarded-for")).toBe("203.0.113.9, 10.1.2.3");
    expect(headers.get("x-real-ip")).toBe("203.0.113.9");
    expect(headers.get("x-forwarded-proto")).toBe("https");
    expect(headers.get("x-forwarded-host")).toBe("evil.example");
    expect(headers.get("forwarded")).toBe("for=203.0.113.9;proto=https");
    expect(headers.get("x-request-id")).toBe("req-42");
  });

  test("a trusted proxy that sends none gets them made: X-Real-IP, a request id, http", () => {
    const trusted = trustedProxies(["10.0.0.1"]);
    const headers = new Headers({ "x-forwarded-for": "192.0.2.1", "x-request-id": "has spaces in it", "x-forwarded-proto": "gopher" });
    forwardHeaders(headers, "10.0.0.1", clientAddress("10.0.0.1", headers, trusted), "web.localhost", trusted);
    expect(headers.get("x-forwarded-for")).toBe("192.0.2.1, 10.0.0.1");
    expect(headers.get("x-real-ip")).toBe("192.0.2.1");
    expect(headers.get("x-request-id")).toMatch(UUID);
    expect(headers.get("x-forwarded-proto")).toBe("http");
  });

  test("the client address walks X-Forwarded-For from the right past trusted proxies only", () => {
    const trusted = trustedProxies(["10.0.0.0/8", "fd00::/8"]);
    const chain = (value: string) => new Headers({ "x-forwarded-for": value });
    expect(clientAddress("10.0.0.1", chain("203.0.113.1, 198.51.100.2, 10.9.9.9"), trusted)).toBe("198.51.100.2");
    expect(clientAddress("fd00::1", chain("203.0.113.1"), trusted)).toBe("203.0.113.1");
    expect(clientAddress("10.0.0.1", chain("10.1.1.1, 10.2.2.2"), trusted)).toBe("10.1.1.1");
    expect(clientAddress("10.0.0.1", chain("garbage, 203.0.113.5"), trusted)).toBe("203.0.113.5");
    expect(clientAddress("10.0.0.1", new Headers({ "x-real-ip": "203.0.113.8" }), trusted)).toBe("203.0.113.8");
    expect(clientAddress("10.0.0.1", new Headers(), trusted)).toBe("10.0.0.1");
    // Untrusted: what the client claims never counts.
    expect(clientAddress("198.51.100.9", chain("203.0.113.1"), trusted)).toBe("198.51.100.9");
  });

  test("IPv4 clients of a dual-stack listener are matched and shown as IPv4", () => {
    expect(plainAddress("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(plainAddress("::1")).toBe("::1");
    expect(trustedProxies(["127.0.0.1/32"]).trusts("::ffff:127.0.0.1")).toBe(true);
    expect(trustedProxies(["127.0.0.1/32"]).trusts("127.0.0.2")).toBe(false);
    expect(trustedProxies(["::1"]).trusts("::1")).toBe(true);
    expect(trustedProxies([]).trusts("127.0.0.1")).toBe(false);
  });
});
