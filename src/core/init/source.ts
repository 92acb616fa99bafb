import { gitRef, gitUrl } from "../project-file/fields.ts";
import type { Decisions, GitFacts } from "./types.ts";

/** Written when no usable URL is known, so the file still applies and the gap is plain to see. */
export const PLACEHOLDER_URL = "https://git.example.com/CHANGE-ME/REPOSITORY.git";

export interface GitSource {
  url: string;
  ref?: string;
  path?: string;
}

/** http(s) URLs may carry a token in their user part; a project file must never hold one. */
function withoutCredentials(url: string): { url: string; stripped: boolean } {
  const match = /^(https?:\/\/)[^/@]*@(.*)$/i.exec(url);
  return match ? { url: `${match[1]}${match[2]}`, stripped: true } : { url, stripped: false };
}

/** An origin as git accepts it, turned into a URL the project file accepts (a local path → file://). */
function originUrl(origin: string, topLevel: string | undefined): string | undefined {
  if (gitUrl.safeParse(origin).success) return origin;
  if (origin.startsWith("/")) return `file://${origin}`;
  if (topLevel && /^\.\.?\//.test(origin)) {
    const parts: string[] = [];
    for (const part of `${topLevel}/${origin}`.split("/")) {
      if (part === "..") parts.pop();
      else if (part && part !== ".") parts.push(part);
    }
    return `file:///${parts.join("/")}`;
  }
  return undefined;
}

/** The git source every generated block shares, and the decisions behind it. */
export function gitSource(git: GitFacts, d: Decisions): GitSource {
  const path = git.prefix ? git.prefix.replace(/\/+$/, "") : undefined;
  const located = (url: string): GitSource => {
    const source: GitSource = { url };
    if (git.branch && gitRef.safeParse(git.branch).success) {
      source.ref = git.branch;
      d.add("git.ref", git.branch, "the branch checked out now");
    } else if (git.checkout) {
      d.add("git.ref", "(none)", "HEAD is not on a branch: builds use the repository's default branch");
    }
    if (path) {
      source.path = path;
      d.add("git.path", path, "the folder sits below the top of the checkout");
    }
    return source;
  };

  if (!git.checkout) {
    d.todo("git.url", PLACEHOLDER_URL, "the folder is not a git checkout: put the repository's URL here (Berth builds from git)");
    return { url: PLACEHOLDER_URL };
  }
  if (git.origin) {
    // Credentials go first: a URL that carries them is refused by the file's rules, and must never be echoed.
    const clean = withoutCredentials(git.origin);
    const url = originUrl(clean.url, git.topLevel);
    if (url) {
      d.add("git.url", url, clean.stripped
        ? "the `origin` remote, without the credentials in it (give Berth a token with `berth block git-token`)"
        : "the `origin` remote");
      return located(url);
    }
    d.todo("git.url", PLACEHOLDER_URL, `the \`origin\` remote (${clean.url}) is not an https, http, ssh or file URL: put the repository's URL here`);
    return { url: PLACEHOLDER_URL };
  }
  if (git.topLevel?.startsWith("/")) {
    const url = `file://${git.topLevel}`;
    if (gitUrl.safeParse(url).success) {
      d.add("git.url", url, "no `origin` remote: the local checkout, which a Berth server on this machine can read (use a shared URL for any other server)");
      return located(url);
    }
  }
  d.todo("git.url", PLACEHOLDER_URL, "the checkout has no `origin` remote: put the repository's URL here");
  return { url: PLACEHOLDER_URL };
}
