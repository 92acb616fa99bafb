// Test support for this folder: real git repositories in temp dirs, served as file:// URLs.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const ENV = {
  PATH: "/usr/local/bin:/usr/bin:/bin",
  LC_ALL: "C",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Berth Test",
  GIT_AUTHOR_EMAIL: "test@berth.invalid",
  GIT_COMMITTER_NAME: "Berth Test",
  GIT_COMMITTER_EMAIL: "test@berth.invalid",
};

/** Runs git with an argv array; returns trimmed stdout, throws with stderr on failure. */
export function git(args: string[], cwd?: string): string {
  const result = Bun.spawnSync(["git", ...args], { cwd, env: ENV, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`git ${args.join(" ")} failed: ${result.stderr.toString().trim()}`);
  return result.stdout.toString().trim();
}

export interface LocalRepo {
  dir: string;
  url: string;
  /** Writes files and symlinks (path → target), commits them, returns the commit sha. */
  commit(files: Record<string, string>, message?: string, symlinks?: Record<string, string>): string;
  remove(): void;
}

/** A non-bare repository on branch `branch` with `files` committed. */
export function localRepo(files: Record<string, string>, options: { branch?: string; symlinks?: Record<string, string> } = {}): LocalRepo {
  const dir = mkdtempSync(join(tmpdir(), "berth-git-test-"));
  git(["init", "--quiet", `--initial-branch=${options.branch ?? "main"}`], dir);
  const commit = (changes: Record<string, string>, message = "change", symlinks: Record<string, string> = {}) => {
    for (const [path, content] of Object.entries(changes)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    for (const [path, target] of Object.entries(symlinks)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      symlinkSync(target, join(dir, path));
    }
    git(["add", "--all"], dir);
    git(["commit", "--quiet", "--allow-empty", "-m", message], dir);
    return git(["rev-parse", "HEAD"], dir);
  };
  commit(files, "initial", options.symlinks);
  return { dir, url: `file://${dir}`, commit, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh temp dir, e.g. for a cache; remove it with rmSync when done. */
export function tempDir(prefix = "berth-git-cache-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
