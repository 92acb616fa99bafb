import { expect, test } from "bun:test";
import { pushName, registryName } from "./reference.ts";

test("a local reference keeps its path and tag; another registry's host is dropped", () => {
  expect(registryName("berth/shop/web:0123456789ab-abcdef012345")).toEqual({ repository: "berth/shop/web", tag: "0123456789ab-abcdef012345" });
  expect(registryName("postgres:16")).toEqual({ repository: "postgres", tag: "16" });
  expect(registryName("ghcr.io/acme/api:2")).toEqual({ repository: "acme/api", tag: "2" });
  expect(registryName("localhost:5000/acme/api")).toEqual({ repository: "acme/api", tag: "latest" });
  expect(registryName("acme/worker")).toEqual({ repository: "acme/worker", tag: "latest" });
});

test("a reference pinned by digest gets a tag from the digest, since a push needs one", () => {
  const digest = `sha256:${"ab".repeat(32)}`;
  expect(registryName(`redis:7@${digest}`)).toEqual({ repository: "redis", tag: `sha256-${"ab".repeat(32)}` });
});

test("a reference with no repository a registry takes is one line naming it", () => {
  expect(() => registryName("Acme/API:1")).toThrow('image reference "Acme/API:1" has no repository a registry takes');
});

test("each engine image gets its own tag: the reference's, then 12 hex characters of its id", () => {
  const one = `sha256:${"0f1e2d3c4b5a".padEnd(64, "9")}`;
  const two = `sha256:${"a1b2c3d4e5f6".padEnd(64, "9")}`;
  expect(pushName("berth/shop/web:abc-123", one)).toEqual({ repository: "berth/shop/web", tag: "abc-123-0f1e2d3c4b5a" });
  expect(pushName("berth/shop/web:abc-123", two).tag).toBe("abc-123-a1b2c3d4e5f6");
  expect(pushName(`web:${"x".repeat(128)}`, one).tag).toHaveLength(128);
  expect(() => pushName("web:1", "latest")).toThrow('image id "latest" of web:1 is not an engine image id (sha256:…)');
});
