import { describe, expect, test } from "bun:test";
import { domainFileIssues, domainOwnershipIssues } from "./domains.ts";
import { parseProjectFile } from "./parse.ts";
import type { BlockSpec, ProjectFile } from "./schema.ts";

const site = (project: string, web: Partial<BlockSpec> = {}, environments: ProjectFile["environments"] = { dev: {} }): ProjectFile => ({
  project,
  blocks: { web: { kind: "website", image: "a:1", port: 80, ...web } },
  environments,
});

describe("domains a project may serve", () => {
  test("another project's generated name is refused, naming that project", () => {
    const issues = domainOwnershipIssues(site("sech", { domains: ["web.stage.seca.localhost"] }), "localhost", [site("seca", {}, { stage: {} })]);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe("blocks.web.domains");
    expect(issues[0]!.message).toContain('belongs to project "seca"');
  });

  test("any other name under the base domain is refused; the block's own generated name is not", () => {
    expect(domainOwnershipIssues(site("todo", { domains: ["shop.localhost"] }), "localhost", [])[0]!.message).toContain("where names are generated");
    expect(domainOwnershipIssues(site("todo", { domains: ["web.dev.todo.localhost"] }), "localhost", [])).toEqual([]);
    expect(domainOwnershipIssues(site("todo", { domains: ["todo.example.com"] }), "localhost", [])).toEqual([]);
  });

  test("a domain another project holds in any environment is refused, naming project, environment and block", () => {
    const holder = site("shopa", {}, { prod: { blocks: { web: { domains: ["shop.example.com"] } } } });
    const [issue] = domainOwnershipIssues(site("shopb", {}, { prod: { blocks: { web: { domains: ["shop.example.com"] } } } }), "localhost", [holder]);
    expect(issue).toEqual({ path: "environments.prod.blocks.web.domains", message: 'shop.example.com is already used by block web of project "shopa", environment prod' });
  });

  test("one domain in two environments of a project is refused; one per environment is fine", () => {
    const twice = domainFileIssues(site("todo", { domains: ["todo.example.com"] }, { dev: {}, prod: {} }));
    expect(twice.map((i) => i.message)).toEqual([expect.stringContaining('todo.example.com is already used by block web of project "todo", environment dev')]);
    expect(domainFileIssues(site("todo", {}, { dev: { blocks: { web: { domains: ["dev.example.com"] } } }, prod: { blocks: { web: { domains: ["example.com"] } } } }))).toEqual([]);
  });

  test("domains on a gateway or internal microservice are refused at parse, in the environment where they apply", () => {
    const text = `project: p
blocks:
  api: { kind: microservice, image: "a:1", port: 80, expose: public, domains: [api.example.com] }
environments:
  dev: { blocks: { api: { expose: internal } } }
`;
    expect(() => parseProjectFile(text)).toThrow("berth.yaml has errors");
    try {
      parseProjectFile(text);
    } catch (error) {
      expect((error as { issues: unknown[] }).issues).toEqual([{ path: "blocks.api.domains", message: "domains serve only a microservice with `expose: public`; in dev it is `internal`" }]);
    }
  });
});
