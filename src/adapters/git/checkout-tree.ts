import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { BerthError } from "../../core/errors.ts";
import { PROTOCOL_ARGS } from "./git-env.ts";
import { summarizeStderr } from "./messages.ts";
import { GitTimeoutError, type GitOutput, type RunGit } from "./run-git.ts";

/**
 * Writes `commit`'s tree from the cache into a fresh private temp dir with git's own
 * checkout (which never follows symlinks while writing). A private index file keeps the
 * shared cache untouched, so checkouts need no lock.
 */
export async function checkoutTree(options: {
  repoDir: string;
  commit: string;
  tempDir: string;
  env: Record<string, string>;
  runGit: RunGit;
  timeoutMs: number;
}): Promise<{ root: string; tree: string }> {
  const short = options.commit.slice(0, 7);
  const root = await mkdtemp(join(options.tempDir, "berth-checkout-"));
  try {
    const tree = join(root, "tree");
    const index = join(root, "index");
    await mkdir(tree);
    const args = [
      ...PROTOCOL_ARGS,
      `--git-dir=${options.repoDir}`,
      `--work-tree=${tree}`,
      "checkout",
      "--quiet",
      "--force",
      options.commit,
      "--",
      ".",
    ];
    let out: GitOutput;
    try {
      out = await options.runGit({ args, env: { ...options.env, GIT_INDEX_FILE: index }, timeoutMs: options.timeoutMs, cwd: root });
    } catch (error) {
      if (error instanceof GitTimeoutError) throw new BerthError("unavailable", `cannot check out ${short}: ${error.message}`);
      throw error;
    }
    if (out.exitCode !== 0) {
      const reason = summarizeStderr(out.stderr, { url: "", redactedUrl: "", secrets: [] });
      throw new BerthError("internal", `cannot check out ${short}: ${reason}`);
    }
    await rm(index, { force: true });
    return { root, tree };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}
