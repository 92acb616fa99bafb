import { expect, test } from "bun:test";
import { parseProjectFile } from "./parse.ts";
import { resolveBlock } from "./resolve.ts";

const file = parseProjectFile(`
project: p
blocks:
  api:
    kind: microservice
    git: { url: https://example.com/api.git, ref: develop, path: api }
    build: { preset: node, version: "20" }
    port: 8000
    env: { A: "1", B: "2" }
environments:
  dev: {}
  prod:
    ref: main
    blocks:
      api: { env: { B: "3" }, build: { version: "22" }, replicas: 2 }
  hotfix:
    ref: main
    blocks:
      api: { ref: fix-123 }
`);

test("an environment's override merges maps and replaces the rest", () => {
  const api = resolveBlock(file, "prod", "api");
  expect(api.env).toEqual({ A: "1", B: "3" });
  expect(api.build).toEqual({ preset: "node", version: "22" });
  expect(api.replicas).toBe(2);
  expect(api.git).toEqual({ url: "https://example.com/api.git", ref: "main", path: "api" });
});

test("the git ref: block override, then environment, then the block's own", () => {
  expect(resolveBlock(file, "dev", "api").git!.ref).toBe("develop");
  expect(resolveBlock(file, "prod", "api").git!.ref).toBe("main");
  expect(resolveBlock(file, "hotfix", "api").git!.ref).toBe("fix-123");
});

test("unknown names are not found", () => {
  expect(() => resolveBlock(file, "nope", "api")).toThrow('environment "nope" in project "p" not found');
  expect(() => resolveBlock(file, "dev", "web")).toThrow('block "web" in project "p" not found');
});
