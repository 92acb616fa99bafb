import { afterAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { createGitSource } from "./git-source.ts";
import { git, localRepo, oneLineFailure, tempDir } from "./local-repo.testing.ts";

const cacheDir = tempDir();
const source = createGitSource({ cacheDir, knownHostsFile: join(cacheDir, "known_hosts") });
const r = localRepo({ "README.md": "one\n" }, { branch: "trunk" });
afterAll(() => {
  r.remove();
  rmSync(cacheDir, { recursive: true, force: true });
});

describe("head: what a ref points to on the remote now (git ls-remote)", () => {
  const first = git(["rev-parse", "HEAD"], r.dir);
  git(["tag", "-a", "-m", "release", "v1"], r.dir);
  git(["checkout", "--quiet", "-b", "feature/x"], r.dir);
  const feature = r.commit({ "x.ts": "export {}\n" }, "x");
  git(["checkout", "--quiet", "trunk"], r.dir);

  test("a branch, a branch with a slash, an annotated tag (its commit), the default branch", async () => {
    expect(await source.head({ url: r.url, ref: "trunk" })).toBe(first);
    expect(await source.head({ url: r.url, ref: "feature/x" })).toBe(feature);
    expect(await source.head({ url: r.url, ref: "refs/heads/feature/x" })).toBe(feature);
    expect(await source.head({ url: r.url, ref: "v1" })).toBe(first);
    expect(await source.head({ url: r.url })).toBe(first);
  });

  test("a new commit shows at once; a name no branch or tag has is undefined", async () => {
    const second = r.commit({ "README.md": "two\n" }, "two");
    expect(await source.head({ url: r.url, ref: "trunk" })).toBe(second);
    expect(await source.head({ url: r.url, ref: "nope" })).toBeUndefined();
  });

  test("an unreachable remote and an option-like ref are one-line errors", async () => {
    expect((await oneLineFailure(source.head({ url: "file:///nonexistent/repo.git", ref: "main" }))).code).toBe("unavailable");
    expect((await oneLineFailure(source.head({ url: r.url, ref: "--upload-pack=evil" }))).code).toBe("invalid");
  });
});
