import { expect, test } from "bun:test";
import { registryName } from "./reference.ts";

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
