import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createGitSource } from "./git-source.ts";
import { git, localRepo, oneLineFailure, tempDir } from "./local-repo.testing.ts";

const cacheDir = tempDir();
const workDir = tempDir("berth-git-work-");
const source = createGitSource({ cacheDir, knownHostsFile: join(cacheDir, "known_hosts"), tempDir: workDir });
const repos: { remove(): void }[] = [];
afterAll(() => {
  for (const repo of repos) repo.remove();
  rmSync(cacheDir, { recursive: true, force: true });
  rmSync(workDir, { recursive: true, force: true });
});

function repo(...args: Parameters<typeof localRepo>) {
  const made = localRepo(...args);
  repos.push(made);
  return made;
}


/** Objects in a repository, loose and packed. */
function objectCount(gitDir: string): number {
  const stats = Object.fromEntries(
    git([`--git-dir=${gitDir}`, "count-objects", "-v"])
      .split("\n")
      .map((line) => line.split(": ") as [string, string]),
  );
  return Number(stats.count) + Number(stats["in-pack"]);
}

describe("resolve", () => {
  const r = repo({ "README.md": "one\n" }, { branch: "trunk" });
  const first = git(["rev-parse", "HEAD"], r.dir);
  git(["tag", "-a", "-m", "release", "v1.0.0"], r.dir);
  git(["checkout", "--quiet", "-b", "feature/login"], r.dir);
  const feature = r.commit({ "login.ts": "export {}\n" }, "login");
  git(["tag", "light"], r.dir);
  git(["checkout", "--quiet", "trunk"], r.dir);
  const second = r.commit({ "README.md": "two\n" }, "two");

  test("no ref means the remote's default branch, whatever it is called", async () => {
    expect(await source.resolve({ url: r.url })).toBe(second);
    expect(await source.resolve({ url: r.url, ref: "HEAD" })).toBe(second);
  });

  test("a branch name, also with a slash or as a full ref name", async () => {
    expect(await source.resolve({ url: r.url, ref: "trunk" })).toBe(second);
    expect(await source.resolve({ url: r.url, ref: "feature/login" })).toBe(feature);
    expect(await source.resolve({ url: r.url, ref: "refs/heads/feature/login" })).toBe(feature);
  });

  test("an annotated tag resolves to its commit, a lightweight tag too", async () => {
    expect(await source.resolve({ url: r.url, ref: "v1.0.0" })).toBe(first);
    expect(await source.resolve({ url: r.url, ref: "refs/tags/v1.0.0" })).toBe(first);
    expect(await source.resolve({ url: r.url, ref: "light" })).toBe(feature);
  });

  test("a full or short commit SHA", async () => {
    expect(await source.resolve({ url: r.url, ref: first })).toBe(first);
    expect(await source.resolve({ url: r.url, ref: first.slice(0, 7) })).toBe(first);
    expect(await source.resolve({ url: r.url, ref: feature.slice(0, 10).toUpperCase() })).toBe(feature);
  });

  test("a commit no branch or tag holds is fetched by its SHA", async () => {
    git(["checkout", "--quiet", "--detach"], r.dir);
    const hidden = r.commit({ "pr.txt": "pull request\n" }, "pr");
    git(["update-ref", "refs/pull/1/head", hidden], r.dir);
    git(["checkout", "--quiet", "trunk"], r.dir);
    expect(await source.resolve({ url: r.url, ref: hidden })).toBe(hidden);
  });

  test("a ref that does not exist is one line naming the ref and the URL", async () => {
    const error = await oneLineFailure(source.resolve({ url: r.url, ref: "nope" }));
    expect(error.code).toBe("invalid");
    expect(error.message).toBe(`ref "nope" not found in ${r.url}`);
    const sha = await oneLineFailure(source.resolve({ url: r.url, ref: "0".repeat(40) }));
    expect(sha.message).toBe(`ref "${"0".repeat(40)}" not found in ${r.url}`);
  });

  test("an empty repository has no default branch", async () => {
    const dir = tempDir("berth-git-empty-");
    repos.push({ remove: () => rmSync(dir, { recursive: true, force: true }) });
    git(["init", "--quiet", "--bare", dir]);
    const error = await oneLineFailure(source.resolve({ url: `file://${dir}` }));
    expect(error.code).toBe("invalid");
    expect(error.message).toBe(`file://${dir} has no default branch (is the repository empty?)`);
  });

  test("an unreachable repository is one 'unavailable' line", async () => {
    const error = await oneLineFailure(source.resolve({ url: "http://127.0.0.1:9/x.git" }));
    expect(error.code).toBe("unavailable");
    expect(error.message).toStartWith("cannot reach http://127.0.0.1:9/x.git: ");
    expect(error.message).toContain("127.0.0.1 port 9");
    const missing = await oneLineFailure(source.resolve({ url: "file:///nonexistent/repo.git" }));
    expect(missing.message).toBe("cannot reach file:///nonexistent/repo.git: '/nonexistent/repo.git' does not appear to be a git repository");
  });
});

describe("cache", () => {
  test("one bare repository per URL, named by the URL's sha256", async () => {
    const r = repo({ "a.txt": "a\n" });
    await source.resolve({ url: r.url });
    const dir = join(cacheDir, `${createHash("sha256").update(r.url).digest("hex")}.git`);
    expect(git([`--git-dir=${dir}`, "rev-parse", "--is-bare-repository"])).toBe("true");
    expect(git([`--git-dir=${dir}`, "for-each-ref", "--format=%(refname)"]).split("\n")).toEqual(["refs/berth/heads/main"]);
  });

  test("a second resolve fetches only the new commit's objects", async () => {
    // More objects than fetch.unpackLimit (100): a fetch that brought everything again
    // would store them all in a second pack and double the count.
    const files = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`src/file-${i}.txt`, `content ${i}\n`]));
    const r = repo(files);
    const dir = join(cacheDir, `${createHash("sha256").update(r.url).digest("hex")}.git`);
    await source.resolve({ url: r.url });
    const before = objectCount(dir);
    expect(before).toBeGreaterThanOrEqual(152);

    const next = r.commit({ "src/file-7.txt": "changed\n" }, "change one file");
    expect(await source.resolve({ url: r.url })).toBe(next);
    // The new commit, the root tree, the src tree and one blob.
    expect(objectCount(dir) - before).toBe(4);
  });

  test("concurrent resolves of one URL agree and leave the cache intact", async () => {
    const r = repo({ "a.txt": "a\n" });
    const heads = [r.commit({ "b.txt": "b\n" })];
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => {
        if (i === 3) heads.push(r.commit({ "c.txt": "c\n" }));
        return source.resolve({ url: r.url });
      }),
    );
    for (const sha of results) expect(heads).toContain(sha);
    const dir = join(cacheDir, `${createHash("sha256").update(r.url).digest("hex")}.git`);
    git([`--git-dir=${dir}`, "fsck", "--strict", "--no-dangling"]);
    expect(await source.resolve({ url: r.url })).toBe(heads.at(-1)!);
  });
});

describe("checkout", () => {
  const r = repo({ "README.md": "root\n", "services/api/index.ts": "api v1\n", "services/web/index.html": "<p>web</p>\n" });
  const v1 = git(["rev-parse", "HEAD"], r.dir);
  const v2 = r.commit({ "services/api/index.ts": "api v2\n" }, "v2");

  test("the whole tree at a commit, without git metadata, removed by cleanup", async () => {
    const out = await source.checkout({ url: r.url }, v1);
    expect(out.commit).toBe(v1);
    expect(readFileSync(join(out.dir, "README.md"), "utf8")).toBe("root\n");
    expect(readFileSync(join(out.dir, "services/api/index.ts"), "utf8")).toBe("api v1\n");
    expect(existsSync(join(out.dir, ".git"))).toBe(false);
    expect(readdirSync(workDir)).toHaveLength(1);
    await out.cleanup();
    expect(existsSync(out.dir)).toBe(false);
    expect(readdirSync(workDir)).toEqual([]);
  });

  test("a subfolder becomes dir; each checkout is a private copy", async () => {
    const [a, b] = await Promise.all([
      source.checkout({ url: r.url }, v2, "services/api"),
      source.checkout({ url: r.url }, v1, "services/api/"),
    ]);
    expect(a.dir).toEndWith("/services/api");
    expect(readFileSync(join(a.dir, "index.ts"), "utf8")).toBe("api v2\n");
    expect(readFileSync(join(b.dir, "index.ts"), "utf8")).toBe("api v1\n");
    expect(a.dir).not.toBe(b.dir);
    await Promise.all([a.cleanup(), b.cleanup()]);
  });

  test("a folder missing at that commit, or a file, is refused and leaves nothing behind", async () => {
    const missing = await oneLineFailure(source.checkout({ url: r.url }, v1, "services/worker"));
    expect(missing.code).toBe("invalid");
    expect(missing.message).toBe(`path "services/worker" does not exist at ${v1.slice(0, 7)}`);
    const file = await oneLineFailure(source.checkout({ url: r.url }, v1, "README.md"));
    expect(file.message).toBe(`path "README.md" is not a folder at ${v1.slice(0, 7)}`);
    expect(readdirSync(workDir)).toEqual([]);
  });

  test("a commit the repository does not have", async () => {
    const error = await oneLineFailure(source.checkout({ url: r.url }, "1".repeat(40)));
    expect(error.code).toBe("invalid");
    expect(error.message).toBe(`commit 1111111 not found in ${r.url}`);
    const short = await oneLineFailure(source.checkout({ url: r.url }, v1.slice(0, 7)));
    expect(short.message).toBe(`commit "${v1.slice(0, 7)}" is not a full 40-character commit SHA`);
  });

  test("works with a fresh cache: checkout fetches what it needs", async () => {
    const fresh = tempDir();
    try {
      const other = createGitSource({ cacheDir: fresh, knownHostsFile: join(fresh, "known_hosts") });
      const out = await other.checkout({ url: r.url }, v2, "services/web");
      expect(readFileSync(join(out.dir, "index.html"), "utf8")).toBe("<p>web</p>\n");
      await out.cleanup();
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
