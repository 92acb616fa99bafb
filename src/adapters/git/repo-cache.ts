import { createHash } from "node:crypto";
import { join } from "node:path";

/** The bare repository caching `url`: one per URL, named by the URL's sha256. */
export function cacheDirFor(cacheDir: string, url: string): string {
  return join(cacheDir, `${createHash("sha256").update(url).digest("hex")}.git`);
}

/** Runs tasks with the same key one after another; different keys run side by side. */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.catch(() => {}).then(task);
    this.tails.set(key, current);
    try {
      return await current;
    } finally {
      if (this.tails.get(key) === current) this.tails.delete(key);
    }
  }
}

/** Where a fetch puts the remote's branches and tags inside the cache. */
export const BRANCHES = "refs/berth/heads/";
export const TAGS = "refs/berth/tags/";
export const FETCH_REFSPECS = [`+refs/heads/*:${BRANCHES}*`, `+refs/tags/*:${TAGS}*`];
