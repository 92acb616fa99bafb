import { mkdir, realpath, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { BerthError } from "../../core/errors.ts";
import type { CheckedOutSource, GitSource, SourceRef } from "../../ports/git-source.ts";
import { CachedRemote } from "./cached-remote.ts";
import { checkoutTree } from "./checkout-tree.ts";
import { prepareCredentials } from "./credentials.ts";
import { baseGitEnv } from "./git-env.ts";
import { quote } from "./messages.ts";
import { cacheDirFor, KeyedLock } from "./repo-cache.ts";
import { checkUrl } from "./remote-url.ts";
import { checkRef, fetchCommit, remoteHead, resolveRef } from "./resolve-ref.ts";
import { spawnGit, type RunGit } from "./run-git.ts";
import { PROTOCOL_ARGS } from "./git-env.ts";
import { checkSubfolder, subfolder } from "./safe-path.ts";
import { listSubmodules, sameServer } from "./submodules.ts";

/** Submodules inside submodules are followed this deep, and no further. */
const SUBMODULE_DEPTH = 5;

export { generateDeployKey } from "./deploy-key.ts";
export type { GitCommand, GitOutput, RunGit } from "./run-git.ts";

export interface GitSourceOptions {
  /** Directory holding one bare cache repository per URL. */
  cacheDir: string;
  /** known_hosts used for ssh; new hosts are added on first use (accept-new), changed keys refused. */
  knownHostsFile: string;
  /** Limit for every git call; default 120 s. */
  timeoutMs?: number;
  /** Where checkouts and key files are made; default the system temp dir. */
  tempDir?: string;
  /**
   * The host environment git may see parts of (PATH, HOME, proxy and CA variables);
   * the composition root passes the process environment. Default: a standard PATH only.
   */
  hostEnv?: Record<string, string | undefined>;
  /**
   * Folders a file:// URL may not point into (Berth's data dir): otherwise any project
   * could read another's cached repositories and skip its credential check.
   */
  privateRoots?: string[];
  /** Runs one git command; default spawns git. Tests wrap it to observe argv and env. */
  runGit?: RunGit;
}

/**
 * GitSource over the git CLI. The cache is shared by everyone using the same URL, so every
 * call first fetches with its own credentials: a caller without access gets an error even
 * if another caller's commits are already cached.
 */
async function refusePrivatePath(url: string, roots: string[]) {
  let path = decodeURIComponent(new URL(url).pathname);
  path = await realpath(path).catch(() => path);
  for (const root of roots) {
    const real = await realpath(root).catch(() => root);
    if (path === real || path.startsWith(`${real}/`)) throw new BerthError("invalid", `file:// URLs may not point into Berth's data dir (${root})`);
  }
}

export function createGitSource(options: GitSourceOptions): GitSource {
  // ssh splits option values on whitespace, so such a path would name several files.
  if (/\s/.test(options.knownHostsFile)) throw new BerthError("invalid", "the known_hosts path must not contain whitespace");
  const timeoutMs = options.timeoutMs ?? 120_000;
  const runGit = options.runGit ?? spawnGit;
  const tempDir = options.tempDir ?? tmpdir();
  const lock = new KeyedLock();
  const env = baseGitEnv(options.hostEnv);

  /** Validates the URL, then under the URL's lock: credentials, cache, a fetch, the task. */
  async function withRemote<T>(source: SourceRef, task: (remote: CachedRemote) => Promise<T>, fetch = true): Promise<T> {
    const transport = checkUrl(source.url);
    if (transport === "file") await refusePrivatePath(source.url, options.privateRoots ?? []);
    const repoDir = cacheDirFor(options.cacheDir, source.url);
    if (transport === "ssh") await mkdir(dirname(options.knownHostsFile), { recursive: true, mode: 0o700 });
    return lock.run(repoDir, async () => {
      const credentials = await prepareCredentials({
        transport,
        credentials: source.credentials,
        knownHostsFile: options.knownHostsFile,
        tempDir,
      });
      try {
        const remote = new CachedRemote(
          source.url,
          repoDir,
          { ...env, ...credentials.env },
          credentials.secrets,
          runGit,
          timeoutMs,
        );
        await remote.init();
        if (fetch) await remote.fetch();
        return await task(remote);
      } finally {
        await credentials.dispose();
      }
    });
  }

  /** Fetches `commit` into the URL's cache (with the source's credentials); returns the cache. */
  function cachedCommit(source: SourceRef, commit: string): Promise<string> {
    return withRemote(source, async (remote) => {
      if (!(await fetchCommit(remote, commit))) {
        throw new BerthError("invalid", `commit ${commit.slice(0, 7)} not found in ${remote.redactedUrl}`);
      }
      return remote.repoDir;
    });
  }

  /**
   * Checks out the submodules `commit` pins inside `folder`, each from its own cache and at
   * its pinned commit, recursively. The block's ssh key is offered to every ssh server (it
   * only proves who asks); its https token goes only to the server of the block's own URL.
   */
  async function addSubmodules(at: { source: SourceRef; repoDir: string; commit: string; tree: string; folder: string; depth: number }) {
    const submodules = await listSubmodules({ repoDir: at.repoDir, env, runGit, timeoutMs }, at.commit, at.folder, at.source.url);
    if (submodules.length > 0 && at.depth >= SUBMODULE_DEPTH) {
      throw new BerthError("invalid", `submodules are nested more than ${SUBMODULE_DEPTH} deep`);
    }
    for (const sub of submodules) {
      const credentials = checkUrl(sub.url) === "ssh" || sameServer(sub.url, at.source.url) ? at.source.credentials : undefined;
      const source = { url: sub.url, credentials };
      const repoDir = await cachedCommit(source, sub.commit).catch((error: Error) => {
        throw new BerthError(error instanceof BerthError ? error.code : "unavailable", `submodule ${quote(sub.path)}: ${error.message}`);
      });
      const checkout = await checkoutTree({ repoDir, commit: sub.commit, tempDir, env, runGit, timeoutMs });
      try {
        // git leaves an empty folder where a gitlink is; the submodule's tree takes its place.
        const parent = await subfolder(at.tree, dirname(sub.path), at.commit);
        const target = join(parent, basename(sub.path));
        await rm(target, { recursive: true, force: true });
        await rename(checkout.tree, target);
      } finally {
        await rm(checkout.root, { recursive: true, force: true });
      }
      const inner = sub.path === at.folder || at.folder === "" || !at.folder.startsWith(`${sub.path}/`) ? "" : at.folder.slice(sub.path.length + 1);
      await addSubmodules({ source, repoDir, commit: sub.commit, tree: join(at.tree, sub.path), folder: inner, depth: at.depth + 1 });
    }
  }

  return {
    async resolve(source) {
      if (source.ref !== undefined) checkRef(source.ref);
      return withRemote(source, (remote) => resolveRef(remote, source.ref));
    },

    async subjects(url, from, to, limit, path) {
      const sha = /^[0-9a-f]{40}$/;
      if (!sha.test(from) || !sha.test(to)) return [];
      checkUrl(url);
      // Only commits that touch the block's folder: a monorepo's other blocks are not its news.
      const folder = checkSubfolder(path);
      const repoDir = cacheDirFor(options.cacheDir, url);
      return lock.run(repoDir, async () => {
        const args = [...PROTOCOL_ARGS, `--git-dir=${repoDir}`, "log", "--format=%s", `--max-count=${limit}`, "--end-of-options", `${from}..${to}`, "--", ...(folder ? [`:(literal)${folder}`] : [])];
        const out = await runGit({ args, env, timeoutMs, cwd: repoDir }).catch(() => null);
        return out?.exitCode === 0 ? out.stdout.split("\n").filter((l) => l !== "") : [];
      });
    },

    async head(source) {
      if (source.ref !== undefined) checkRef(source.ref);
      return withRemote(source, (remote) => remoteHead(remote, source.ref), false);
    },

    async checkout(source, commit, path): Promise<CheckedOutSource> {
      if (!/^[0-9a-f]{40}$/.test(commit)) {
        throw new BerthError("invalid", `commit ${quote(commit)} is not a full 40-character commit SHA`);
      }
      const folder = checkSubfolder(path);
      const repoDir = await cachedCommit(source, commit);
      const { root, tree } = await checkoutTree({ repoDir, commit, tempDir, env, runGit, timeoutMs });
      const cleanup = () => rm(root, { recursive: true, force: true });
      try {
        await addSubmodules({ source, repoDir, commit, tree, folder, depth: 0 });
        return { commit, dir: await subfolder(tree, path, commit), cleanup };
      } catch (error) {
        await cleanup();
        throw error;
      }
    },
  };
}
