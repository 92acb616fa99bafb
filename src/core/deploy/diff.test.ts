import { describe, expect, test } from "bun:test";
import type { BlockSpec } from "../project-file/schema.ts";
import { type BlockSide, type Diff, diffBlocks, diffLines } from "./diff.ts";

const web: BlockSpec = { kind: "website", port: 8080, replicas: 1, git: { url: "http://git.test/web.git" } };
const side = (over: Partial<BlockSide> = {}): BlockSide => ({
  name: "web",
  imageId: "sha256:aaa",
  commit: "a".repeat(40),
  spec: web,
  vars: { GREETING: { value: "hi", secret: false }, TOKEN: { value: "sealed-1", secret: true } },
  ...over,
});
const asDiff = (blocks: ReturnType<typeof diffBlocks>): Diff => ({ project: "shop", environment: "prod", against: "dev#4", live: 3, changes: blocks.some((b) => b.change !== "unchanged"), blocks });

describe("diff between what runs and what would run", () => {
  test("nothing different: unchanged, and the lines say no changes", () => {
    const blocks = diffBlocks([side()], [side({ spec: { ...web } })]);
    expect(blocks).toEqual([{ block: "web", change: "unchanged", commit: null, image: false, vars: { added: [], changed: [], removed: [] }, config: [] }]);
    expect(diffLines(asDiff(blocks))).toEqual(["shop/prod release 3 → dev#4", "no changes"]);
  });

  test("a new commit: from → to with the subjects between, and a new image", () => {
    const next = side({ commit: "b".repeat(40), imageId: "sha256:bbb" });
    const blocks = diffBlocks([side()], [next], (block) => (block === "web" ? ["Say hello louder", "Fix the footer"] : []));
    expect(blocks[0]!.commit).toEqual({ from: "a".repeat(40), to: "b".repeat(40), subjects: ["Say hello louder", "Fix the footer"] });
    expect(blocks[0]!.image).toBe(true);
    expect(diffLines(asDiff(blocks))).toEqual(["shop/prod release 3 → dev#4", "web:", "  commit aaaaaaa → bbbbbbb", "    Say hello louder", "    Fix the footer", "  image changes"]);
  });

  test("an image not built yet counts as changed only when the commit moves", () => {
    expect(diffBlocks([side()], [side({ imageId: null })])[0]!.image).toBe(false);
    expect(diffBlocks([side()], [side({ imageId: null, commit: "c".repeat(40) })])[0]!.image).toBe(true);
  });

  test("variables by name only: added, changed (a secret set again), removed; values never appear", () => {
    const next = side({ vars: { GREETING: { value: "hello", secret: false }, TOKEN: { value: "sealed-2", secret: true }, NEW: { value: "x", secret: false } } });
    const before = side({ vars: { ...side().vars!, OLD: { value: "gone", secret: false } } });
    const [block] = diffBlocks([before], [next]);
    expect(block!.vars).toEqual({ added: ["NEW"], changed: ["GREETING", "TOKEN"], removed: ["OLD"] });
    const text = diffLines(asDiff([block!])).join("\n");
    expect(text).toContain("variables changed: GREETING, TOKEN");
    for (const value of ["hello", "sealed-2", "gone", "hi"]) expect(text).not.toContain(value);
  });

  test("settings: replicas, port, domains, command, resources; key order does not matter", () => {
    const next = side({ spec: { replicas: 3, kind: "website", port: 80, git: web.git, domains: ["shop.example"], command: ["run"], resources: { memory: "256m" } } as BlockSpec });
    const [block] = diffBlocks([side()], [next]);
    expect(block!.config.map((c) => c.key)).toEqual(["command", "domains", "port", "replicas", "resources"]);
    expect(diffLines(asDiff([block!]))).toContain("  replicas: 1 → 3");
    expect(diffBlocks([side()], [side({ spec: { replicas: 1, port: 8080, git: web.git, kind: "website" } })])[0]!.change).toBe("unchanged");
  });

  test("blocks added and removed", () => {
    const blocks = diffBlocks([side(), side({ name: "old" })], [side(), side({ name: "api" })]);
    expect(blocks.map((b) => [b.block, b.change])).toEqual([["web", "unchanged"], ["api", "added"], ["old", "removed"]]);
    expect(diffLines(asDiff(blocks)).slice(1)).toEqual(["api: added", "old: removed"]);
  });
});
