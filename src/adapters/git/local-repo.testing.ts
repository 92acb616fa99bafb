// Test support for this folder: real git repositories in temp dirs, served as file:// URLs.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expectBerthError } from "../../../test/support/errors.ts";
import { git as runGit } from "../../../test/support/test-env.ts";
import { BerthError } from "../../core/errors.ts";

/** Runs git with an argv array (no prompts, no host config, a fixed identity); returns trimmed stdout. */
export const git = (args: string[], cwd?: string): string => runGit(args, { cwd });

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

/** The BerthError a promise rejects with; fails the test unless it is one, on one line. */
export const oneLineFailure = (promise: Promise<unknown>): Promise<BerthError> => expectBerthError(promise);
