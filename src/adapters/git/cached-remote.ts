import { mkdir } from "node:fs/promises";
import { BerthError } from "../../core/errors.ts";
import { PROTOCOL_ARGS } from "./git-env.ts";
import { summarizeStderr } from "./messages.ts";
import { FETCH_REFSPECS } from "./repo-cache.ts";
import { redactUrl } from "./remote-url.ts";
import { GitTimeoutError, type GitOutput, type RunGit } from "./run-git.ts";

/**
 * One remote and its bare cache repository, for the length of one locked operation.
 * Network calls turn every failure into one line naming the redacted URL.
 */
export class CachedRemote {
  readonly redactedUrl: string;

  constructor(
    readonly url: string,
    readonly repoDir: string,
    private readonly env: Record<string, string>,
    private readonly secrets: string[],
    private readonly runGit: RunGit,
    private readonly timeoutMs: number,
  ) {
    this.redactedUrl = redactUrl(url);
  }

  async init(): Promise<void> {
    await mkdir(this.repoDir, { recursive: true, mode: 0o700 });
    const out = await this.local(["init", "--quiet", "--bare", "--", this.repoDir]);
    if (out.exitCode !== 0) {
      throw new BerthError("internal", `cannot prepare the git cache: ${this.summary(out.stderr)}`);
    }
  }

  /** Fetches all branches and tags, or the given refspecs; only new objects travel. */
  async fetch(refspecs: string[] = FETCH_REFSPECS): Promise<GitOutput> {
    return this.network([
      `--git-dir=${this.repoDir}`,
      "fetch",
      "--quiet",
      "--prune",
      "--no-tags",
      "--no-write-fetch-head",
      "--no-recurse-submodules",
      "--",
      this.url,
      ...refspecs,
    ]);
  }

  /** The remote's default branch name (from the HEAD symref), or its HEAD commit if it has no symref. */
  async remoteHead(): Promise<{ branch?: string; commit?: string }> {
    const out = await this.network([`--git-dir=${this.repoDir}`, "ls-remote", "--symref", "--", this.url, "HEAD"]);
    const branch = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(out.stdout)?.[1];
    const commit = /^([0-9a-f]{40})\tHEAD$/m.exec(out.stdout)?.[1];
    return { branch, commit };
  }

  /** `git ls-remote` for these patterns: each matching ref's name and commit; nothing is fetched. */
  async listRemote(patterns: string[]): Promise<Map<string, string>> {
    const out = await this.network([`--git-dir=${this.repoDir}`, "ls-remote", "--", this.url, ...patterns]);
    return new Map([...out.stdout.matchAll(/^([0-9a-f]{40})\t(\S+)$/gm)].map((m) => [m[2]!, m[1]!]));
  }

  /** The commit `rev` names in the cache, if any. */
  async commitOf(rev: string): Promise<string | undefined> {
    const out = await this.local([
      `--git-dir=${this.repoDir}`,
      "rev-parse",
      "--verify",
      "--quiet",
      "--end-of-options",
      `${rev}^{commit}`,
    ]);
    const sha = out.stdout.trim();
    return out.exitCode === 0 && /^[0-9a-f]{40}$/.test(sha) ? sha : undefined;
  }

  /** A git call that talks to the remote: any failure means the remote could not be used. */
  private async network(args: string[]): Promise<GitOutput> {
    let out: GitOutput;
    try {
      out = await this.local(args);
    } catch (error) {
      if (error instanceof GitTimeoutError) {
        throw new BerthError("unavailable", `cannot reach ${this.redactedUrl}: ${error.message}`);
      }
      throw error;
    }
    if (out.exitCode !== 0) {
      throw new BerthError("unavailable", `cannot reach ${this.redactedUrl}: ${this.summary(out.stderr)}`);
    }
    return out;
  }

  /** Runs inside the cache so no repository around the process's own directory is ever read. */
  private local(args: string[]): Promise<GitOutput> {
    return this.runGit({ args: [...PROTOCOL_ARGS, ...args], env: this.env, timeoutMs: this.timeoutMs, cwd: this.repoDir });
  }

  private summary(stderr: string): string {
    return summarizeStderr(stderr, { url: this.url, redactedUrl: this.redactedUrl, secrets: this.secrets });
  }
}
