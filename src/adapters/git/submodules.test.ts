import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRepo, git, loadTestEnv, type TestRepo } from "../../../test/support/test-env.ts";
import { BerthError } from "../../core/errors.ts";
import { createGitSource } from "./git-source.ts";
import { oneLineFailure, tempDir } from "./local-repo.testing.ts";
import { sameServer, submoduleUrl } from "./submodules.ts";

describe("submodule URLs", () => {
  test("relative URLs resolve against the superproject's URL, as git does", () => {
    expect(submoduleUrl("../lib.git", "http://h:1/org/app.git", "lib")).toBe("http://h:1/org/lib.git");
    expect(submoduleUrl("./lib.git", "https://h/org/app.git", "lib")).toBe("https://h/org/app.git/lib.git");
    expect(submoduleUrl("../../other/lib.git", "ssh://git@h/org/app.git", "lib")).toBe("ssh://git@h/other/lib.git");
    expect(submoduleUrl("../lib.git", "git@h:org/app.git", "lib")).toBe("git@h:org/lib.git");
    expect(submoduleUrl("https://elsewhere/x.git", "git@h:org/app.git", "lib")).toBe("https://elsewhere/x.git");
  });

  test("file, ext and plain-path URLs in .gitmodules are refused with the submodule's path", () => {
    for (const url of ["file:///var/lib/berth/cache/git/x.git", "/etc", "ext::sh -c touch% /tmp/x", "../x.git"]) {
      const parent = url === "../x.git" ? "file:///srv/app.git" : "https://h/app.git";
      expect(() => submoduleUrl(url, parent, "vendor/lib")).toThrow(/^submodule "vendor\/lib": .* is not allowed \(submodules may use https:\/\/, http:\/\/, ssh:\/\/ or user@host:path URLs\)$/);
    }
    expect(() => submoduleUrl("../../../x.git", "https://h/app.git", "lib")).toThrow(BerthError);
  });

  test("a token goes only to the server of the block's own URL", () => {
    expect(sameServer("https://git.example.com/a.git", "https://git.example.com/b.git")).toBe(true);
    expect(sameServer("https://git.example.com/a.git", "https://evil.example.net/b.git")).toBe(false);
    expect(sameServer("http://git.example.com/a.git", "https://git.example.com/b.git")).toBe(false);
  });
});

/** Commits a gitlink at `path` pinned to `commit` of `url`, with its .gitmodules entry. */
function addSubmodule(repo: TestRepo, path: string, url: string, commit: string): string {
  writeFileSync(join(repo.dir, ".gitmodules"), `[submodule "${path}"]\n\tpath = ${path}\n\turl = ${url}\n`);
  git(["add", ".gitmodules"], { cwd: repo.dir });
  git(["update-index", "--add", "--cacheinfo", `160000,${commit},${path}`], { cwd: repo.dir });
  git(["commit", "--quiet", "-m", `submodule ${path}`], { cwd: repo.dir });
  git(["push", "--quiet", "origin", "HEAD:refs/heads/main"], { cwd: repo.dir });
  return git(["rev-parse", "HEAD"], { cwd: repo.dir });
}

describe("checkouts with submodules, over the test git server", () => {
  loadTestEnv();
  const cacheDir = tempDir();
  const source = createGitSource({ cacheDir, knownHostsFile: join(cacheDir, "known_hosts"), timeoutMs: 30_000 });
  const repos: TestRepo[] = [];
  afterAll(() => {
    for (const repo of repos) repo.remove();
    rmSync(cacheDir, { recursive: true, force: true });
  });
  let inner: TestRepo;
  let innerCommit: string;
  beforeAll(() => {
    inner = createRepo("sub-inner", { "lib.txt": "from the submodule\n" });
    repos.push(inner);
    innerCommit = inner.commit({ "lib.txt": "pinned version\n" }, "v2");
    inner.commit({ "lib.txt": "newer, not pinned\n" }, "v3");
  });

  test("a submodule is checked out at its pinned commit, with a relative URL too", async () => {
    for (const url of [inner.httpUrl, `../${inner.name}.git`]) {
      const app = createRepo("sub-app", { "app/main.txt": "app\n" });
      repos.push(app);
      const commit = addSubmodule(app, "app/vendor/lib", url, innerCommit);
      const checkout = await source.checkout({ url: app.httpUrl }, commit, "app");
      try {
        expect(readFileSync(join(checkout.dir, "vendor/lib/lib.txt"), "utf8")).toBe("pinned version\n");
        expect(existsSync(join(checkout.dir, "vendor/lib/.git"))).toBe(false);
      } finally {
        await checkout.cleanup();
      }
    }
  }, 60_000);

  test("a file:// submodule is refused with a clear error naming it", async () => {
    const app = createRepo("sub-file", { "main.txt": "app\n" });
    repos.push(app);
    const commit = addSubmodule(app, "lib", inner.fileUrl, innerCommit);
    const error = await oneLineFailure(source.checkout({ url: app.httpUrl }, commit, undefined));
    expect(error.message).toStartWith(`submodule "lib": "${inner.fileUrl}" is not allowed`);
  }, 60_000);

  test("a submodule outside the build folder is not fetched", async () => {
    const app = createRepo("sub-outside", { "app/main.txt": "app\n" });
    repos.push(app);
    const commit = addSubmodule(app, "docs/theme", "https://unreachable.invalid/theme.git", innerCommit);
    const checkout = await source.checkout({ url: app.httpUrl }, commit, "app");
    expect(readFileSync(join(checkout.dir, "main.txt"), "utf8")).toBe("app\n");
    await checkout.cleanup();
  }, 60_000);
});
