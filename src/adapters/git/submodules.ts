import { BerthError } from "../../core/errors.ts";
import { PROTOCOL_ARGS } from "./git-env.ts";
import { quote } from "./messages.ts";
import { redactUrl } from "./remote-url.ts";
import type { RunGit } from "./run-git.ts";

/** A submodule as the superproject's commit pins it: where, which commit, from which URL. */
export interface Submodule {
  path: string;
  commit: string;
  url: string;
}

interface RepoCall {
  repoDir: string;
  env: Record<string, string>;
  runGit: RunGit;
  timeoutMs: number;
}

async function gitIn(call: RepoCall, args: string[]) {
  return call.runGit({ args: [...PROTOCOL_ARGS, `--git-dir=${call.repoDir}`, ...args], env: call.env, timeoutMs: call.timeoutMs, cwd: call.repoDir });
}

/**
 * The submodules of `commit` that lie inside `folder` ("" for the whole tree): gitlinks
 * from the commit's tree (the pinned commits), URLs from the commit's own `.gitmodules`
 * read out of the cache, never from the checked-out files.
 */
export async function listSubmodules(call: RepoCall, commit: string, folder: string, parentUrl: string): Promise<Submodule[]> {
  const tree = await gitIn(call, ["ls-tree", "-r", "-z", "--full-tree", commit]);
  if (tree.exitCode !== 0) throw new BerthError("internal", `cannot list the files of ${commit.slice(0, 7)}`);
  const links = tree.stdout
    .split("\0")
    .map((entry) => /^160000 commit ([0-9a-f]{40})\t(.+)$/s.exec(entry))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ commit: m[1]!, path: m[2]! }))
    .filter((l) => folder === "" || l.path === folder || l.path.startsWith(`${folder.replace(/\/+$/, "")}/`) || folder.startsWith(`${l.path}/`));
  if (links.length === 0) return [];

  const config = await gitIn(call, ["config", "--blob", `${commit}:.gitmodules`, "--null", "--get-regexp", "^submodule\\..*\\.(path|url)$"]);
  const byName = new Map<string, { path?: string; url?: string }>();
  if (config.exitCode === 0) {
    for (const entry of config.stdout.split("\0").filter(Boolean)) {
      const newline = entry.indexOf("\n");
      const key = entry.slice(0, newline);
      const value = entry.slice(newline + 1);
      const match = /^submodule\.(.+)\.(path|url)$/s.exec(key);
      if (!match) continue;
      const item = byName.get(match[1]!) ?? {};
      item[match[2] as "path" | "url"] = value;
      byName.set(match[1]!, item);
    }
  }
  const urlOf = new Map([...byName.values()].filter((s) => s.path && s.url).map((s) => [s.path!, s.url!]));
  return links.map((link) => {
    if (link.path.split("/").some((part) => part === "" || part === "." || part === ".." || part.toLowerCase() === ".git") || /[\x00-\x1f\x7f]/.test(link.path)) {
      throw new BerthError("invalid", `submodule path ${quote(link.path)} at ${commit.slice(0, 7)} is not a plain path inside the repository`);
    }
    const url = urlOf.get(link.path);
    if (!url) throw new BerthError("invalid", `submodule ${quote(link.path)} has no url in .gitmodules at ${commit.slice(0, 7)}`);
    return { ...link, url: submoduleUrl(url, parentUrl, link.path) };
  });
}

/**
 * A `.gitmodules` URL made absolute against the superproject's URL, as git does for `./`
 * and `../`. Only network transports are allowed: a repository may not make Berth read
 * files of the host (`file://`, plain paths) or run a helper (`ext::`).
 */
export function submoduleUrl(url: string, parentUrl: string, path: string): string {
  const absolute = url.startsWith("./") || url.startsWith("../") ? relativeTo(parentUrl, url) : url;
  if (!/^(https?|ssh):\/\//i.test(absolute) && !/^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s:]/.test(absolute)) {
    throw new BerthError(
      "invalid",
      `submodule ${quote(path)}: ${quote(redactUrl(absolute))} is not allowed (submodules may use https://, http://, ssh:// or user@host:path URLs)`,
    );
  }
  return absolute;
}

function relativeTo(parentUrl: string, relative: string): string {
  const scp = /^([A-Za-z0-9._-]+@[A-Za-z0-9.-]+:)(.*)$/.exec(parentUrl);
  const url = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*)(.*)$/.exec(parentUrl);
  const [prefix, path] = scp ? [scp[1]!, scp[2]!] : url ? [url[1]!, url[2]!] : ["", parentUrl];
  const parts = path.replace(/\/+$/, "").split("/");
  for (const part of relative.split("/")) {
    if (part === "..") {
      if (parts.length <= (url ? 1 : 0)) throw new BerthError("invalid", `submodule URL ${quote(relative)} climbs above ${quote(redactUrl(parentUrl))}`);
      parts.pop();
    } else if (part !== "." && part !== "") parts.push(part);
  }
  return `${prefix}${parts.join("/")}`;
}

/** Whether two URLs name the same server, so a token for one may go to the other. */
export function sameServer(a: string, b: string): boolean {
  const host = (url: string) => /^https?:\/\/([^/]+)/i.exec(url)?.[1]?.toLowerCase();
  return host(a) !== undefined && host(a) === host(b) && a.split(":")[0]!.toLowerCase() === b.split(":")[0]!.toLowerCase();
}
