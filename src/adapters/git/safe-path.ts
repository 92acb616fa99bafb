import { lstat, readlink, realpath, stat } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { BerthError } from "../../core/errors.ts";
import { quote } from "./messages.ts";

/**
 * The absolute folder `path` names inside `root`, refusing anything that leaves it:
 * absolute paths, `..`, and symlinks at any level that point outside the checkout.
 * Components are followed one at a time, so a link out of the checkout is reported as
 * leaving it even when what lies beyond is missing: errors never tell what exists outside.
 */
export async function subfolder(root: string, path: string | undefined, commit: string): Promise<string> {
  const relative = checkSubfolder(path);
  const realRoot = await realpath(root);
  const inside = (candidate: string) => candidate === realRoot || candidate.startsWith(realRoot + sep);
  const leaves = () => new BerthError("invalid", `path ${quote(relative)} leaves the repository`);
  const missing = () => new BerthError("invalid", `path ${quote(relative)} does not exist at ${commit.slice(0, 7)}`);

  let current = realRoot;
  for (const part of relative.split("/").filter((p) => p && p !== ".")) {
    const next = join(current, part);
    let real: string;
    try {
      real = await realpath(next);
    } catch {
      const link = await lstat(next).catch(() => undefined);
      if (link?.isSymbolicLink() && !inside(resolve(dirname(next), await readlink(next)))) throw leaves();
      throw missing();
    }
    if (!inside(real)) throw leaves();
    current = real;
  }
  if (!(await stat(current)).isDirectory()) {
    throw new BerthError("invalid", `path ${quote(relative)} is not a folder at ${commit.slice(0, 7)}`);
  }
  return current;
}

/** The lexical checks, done before anything is fetched; "" for the repository root. */
export function checkSubfolder(path: string | undefined): string {
  if (path === undefined || path === "" || path === "." || path === "./") return "";
  if (/[\x00-\x1f\x7f]/.test(path)) throw new BerthError("invalid", `path ${quote(path)} contains control characters`);
  if (path.startsWith("/")) throw new BerthError("invalid", `path ${quote(path)} must be relative to the repository root`);
  if (path.split(/[/\\]/).includes("..")) throw new BerthError("invalid", `path ${quote(path)} leaves the repository`);
  return path;
}
