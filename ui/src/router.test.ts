import { expect, test } from "bun:test";
import { fromLegacyHash, href, match } from "./router.ts";

test("a pattern matches its paths and hands back the decoded parameters", () => {
  expect(match("/", "/")).toEqual({});
  expect(match("/p/:project", "/p/shop/")).toEqual({ project: "shop" });
  expect(match("/p/:project/env/:env", "/p/shop/env/dev")).toEqual({ project: "shop", env: "dev" });
  expect(match("/p/:project/env/:env", "/p/shop/env/dev/logs")).toBeNull();
  expect(match("/p/:project", "/q/shop")).toBeNull();
  expect(match("/p/:project", "/p/%E0%A4%A")).toBeNull();
});

test("href encodes each part, so a name never adds a path segment", () => {
  expect(href("p", "a/b", "env", "dev")).toBe("/p/a%2Fb/env/dev");
  expect(match("/p/:project/env/:env", href("p", "a/b", "env", "dev"))).toEqual({ project: "a/b", env: "dev" });
});

test("the earlier console's hash links lead to today's pages", () => {
  expect(fromLegacyHash("#/p/shop/prod")).toBe("/p/shop/env/prod");
  expect(fromLegacyHash("#/p/shop")).toBe("/p/shop");
  expect(fromLegacyHash("#/api")).toBe("/api-docs");
  expect(fromLegacyHash("#/certs")).toBe("/certs");
  expect(fromLegacyHash("#section")).toBeNull();
  expect(fromLegacyHash("")).toBeNull();
});
