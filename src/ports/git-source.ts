/** Credentials for a private repository; held in memory only while a git command runs. */
export interface GitCredentials {
  /** An OpenSSH private key (deploy key) for ssh:// and user@host:path URLs. */
  sshPrivateKey?: string;
  /** A token for https:// URLs (GitHub/GitLab/Gitea personal or project access token). */
  httpsToken?: string;
}

export interface SourceRef {
  url: string;
  /** Branch, tag or commit (full or short); default: the repository's default branch. */
  ref?: string;
  credentials?: GitCredentials;
}

export interface CheckedOutSource {
  /** The full commit SHA that was checked out. */
  commit: string;
  /** Absolute path of the requested subfolder (`path`) inside the checkout. */
  dir: string;
  /** Removes the checkout. */
  cleanup(): Promise<void>;
}

/**
 * Git repositories through the git CLI, with a per-repository cache so a later fetch
 * transfers only new objects. Failures throw BerthError with one clear line and no secrets.
 */
export interface GitSource {
  /** The commit a ref points to now, fetching into the cache as needed. */
  resolve(source: SourceRef): Promise<string>;
  /**
   * The commit a branch or tag points to on the remote now (`git ls-remote`, nothing fetched);
   * undefined when no branch or tag has that name.
   */
  head(source: SourceRef): Promise<string | undefined>;
  /** A private copy of `commit`'s tree with `path` (relative, must stay inside) as `dir`. */
  checkout(source: SourceRef, commit: string, path?: string): Promise<CheckedOutSource>;
  /**
   * Subjects of the commits reachable from `to` but not from `from`, newest first, at most
   * `limit`, read from the cache only (both commits were fetched when they were resolved or
   * built); empty when either is not cached.
   */
  subjects(url: string, from: string, to: string, limit: number, path?: string): Promise<string[]>;
}
