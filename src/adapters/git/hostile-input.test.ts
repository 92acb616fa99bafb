import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BerthError } from "../../core/errors.ts";
import { expectBerthError } from "../../../test/support/errors.ts";
import { PROTOCOL_ARGS, baseGitEnv } from "./git-env.ts";
import { createGitSource } from "./git-source.ts";
import { localRepo, tempDir } from "./local-repo.testing.ts";
import { spawnGit } from "./run-git.ts";

const cacheDir = tempDir();
const source = createGitSource({ cacheDir, knownHostsFile: join(cacheDir, "known_hosts") });
const repo = localRepo(
  { "app/index.ts": "ok\n", "app/nested/file.txt": "x\n", "docs/readme.md": "docs\n" },
  { symlinks: { etc: "/etc", "app/up": "../..", "app/docs-link": "../docs", dangling: "/nonexistent/target", "app/gone": "./missing" } },
);
const commit = repo.commit({}, "tip");
const pwned = join(tempDir("berth-pwned-"), "pwned");

afterAll(() => {
  repo.remove();
  rmSync(cacheDir, { recursive: true, force: true });
  rmSync(join(pwned, ".."), { recursive: true, force: true });
});
beforeEach(() => rmSync(pwned, { force: true }));

async function refused(promise: Promise<unknown>): Promise<BerthError> {
  const error = await expectBerthError(promise);
  expect(existsSync(pwned)).toBe(false);
  return error;
}

describe("URLs", () => {
  test("a file:// URL into Berth's data dir (another project's cache) is refused", async () => {
    const guarded = createGitSource({ cacheDir, knownHostsFile: join(cacheDir, "known_hosts"), privateRoots: [cacheDir] });
    await guarded.resolve({ url: repo.url });
    const cached = readdirSync(cacheDir).find((name) => name.endsWith(".git"))!;
    const error = await refused(guarded.resolve({ url: `file://${join(cacheDir, cached)}` }));
    expect(error.message).toContain("may not point into Berth's data dir");
  });

  test("option-like URLs and remote helpers never reach git", async () => {
    for (const url of [`--upload-pack=touch ${pwned}`, `--upload-pack=touch${"${IFS}"}${pwned}`, `ext::sh -c touch% ${pwned}`, `ext::sh`, "fd::3", `-oProxyCommand=touch`]) {
      const error = await refused(source.resolve({ url }));
      expect(error.code).toBe("invalid");
      expect(error.message).toEndWith("is not a git URL (expected https://, http://, ssh://, file:// or user@host:path)");
    }
  });

  test("shell syntax inside an allowed URL is data: the fetch fails, nothing runs", async () => {
    const urls = [
      `file://${repo.dir};touch${"${IFS}"}${pwned}`,
      `http://127.0.0.1:9/x.git;touch${"${IFS}"}${pwned}`,
      `file://${repo.dir}$(touch${"${IFS}"}${pwned})`,
      `file://${repo.dir}\`touch${"${IFS}"}${pwned}\``,
    ];
    for (const url of urls) {
      const error = await refused(source.resolve({ url }));
      expect(error.code).toBe("unavailable");
      expect(error.message).toStartWith(`cannot reach ${url}: `);
    }
  });

  test("an ssh host that reads as an ssh option is blocked", async () => {
    for (const url of [`ssh://-oProxyCommand=touch%20${pwned}/x`, "git@-oProxyCommand=touch:x"]) {
      await refused(source.resolve({ url }));
    }
    const error = await refused(source.resolve({ url: `ssh://-oProxyCommand=touch%20${pwned}/x` }));
    expect(error.message).toContain("strange hostname");
  });

  test("the protocol allow-list stops ext:: even if validation were bypassed", async () => {
    const out = await spawnGit({
      args: [...PROTOCOL_ARGS, "ls-remote", `ext::sh -c touch% ${pwned}`],
      env: baseGitEnv(),
      timeoutMs: 10_000,
    });
    expect(out.exitCode).not.toBe(0);
    expect(out.stderr).toContain("transport 'ext' not allowed");
    expect(existsSync(pwned)).toBe(false);
  });
});

describe("refs", () => {
  test("option-like and shell-like refs are refused before git runs", async () => {
    for (const ref of [`--output=${pwned}`, "-h", "$(id)", `;touch ${pwned}`, "main\ntouch", "a..b", "main^{tree}"]) {
      const error = await refused(source.resolve({ url: repo.url, ref }));
      expect(error.code).toBe("invalid");
      expect(error.message).toBe(`ref ${JSON.stringify(ref)} is not a valid branch, tag or commit name`);
    }
  });
});

describe("paths", () => {
  const cases: [string, string][] = [
    ["../../etc", 'path "../../etc" leaves the repository'],
    ["app/../../x", 'path "app/../../x" leaves the repository'],
    ["/etc", 'path "/etc" must be relative to the repository root'],
    ["etc", 'path "etc" leaves the repository'],
    ["app/up", 'path "app/up" leaves the repository'],
    ["app/up/etc", 'path "app/up/etc" leaves the repository'],
    ["app/up/no-such-folder", 'path "app/up/no-such-folder" leaves the repository'],
    ["dangling", 'path "dangling" leaves the repository'],
  ];
  for (const [path, message] of cases) {
    test(`${path} is refused`, async () => {
      const error = await refused(source.checkout({ url: repo.url }, commit, path));
      expect(error.code).toBe("invalid");
      expect(error.message).toBe(message);
    });
  }

  test("shell syntax and a dangling link inside are just missing folders", async () => {
    for (const path of ["; rm -rf /", `$(touch ${pwned})`, "app/gone"]) {
      const error = await refused(source.checkout({ url: repo.url }, commit, path));
      expect(error.message).toBe(`path ${JSON.stringify(path)} does not exist at ${commit.slice(0, 7)}`);
    }
  });

  test("a link to another folder inside the checkout is followed", async () => {
    const out = await source.checkout({ url: repo.url }, commit, "app/docs-link");
    expect(out.dir).toEndWith("/tree/docs");
    expect(await Bun.file(join(out.dir, "readme.md")).text()).toBe("docs\n");
    await out.cleanup();
  });
});
