import { describe, expect, test } from "bun:test";
import { blockUrl } from "./routes.ts";

const place = { project: "shop", environment: "prod", domain: "localhost" };
const site = { kind: "website" as const, image: "web:1", port: 8080, domains: ["shop.example.com"] };

describe("blockUrl", () => {
  test("http on the edge's port while no host of the block has a certificate", () => {
    expect(blockUrl(place, "web", site, 8080)).toBe("http://web.prod.shop.localhost:8080/");
    expect(blockUrl(place, "web", site, 80, { port: 443, hasCertificate: () => false })).toBe("http://web.prod.shop.localhost/");
  });

  test("https on the first host with a certificate, the port left out when it is 443", () => {
    const https = (port: number) => ({ port, hasCertificate: (host: string) => host === "shop.example.com" });
    expect(blockUrl(place, "web", site, 8080, https(8443))).toBe("https://shop.example.com:8443/");
    expect(blockUrl(place, "web", site, 80, https(443))).toBe("https://shop.example.com/");
  });

  test("a gateway API keeps its path; an unrouted block has no URL", () => {
    const api = { kind: "microservice" as const, image: "api:1", port: 8000 };
    expect(blockUrl(place, "api", api, 8080, { port: 443, hasCertificate: () => true })).toBe("https://gateway.prod.shop.localhost/api/");
    expect(blockUrl(place, "jobs", { kind: "worker", image: "w:1" }, 8080)).toBeNull();
  });
});
