import { BerthError } from "../../core/errors.ts";
import { gitRef } from "../../core/project-file/fields.ts";
import type { CachedRemote } from "./cached-remote.ts";
import { quote } from "./messages.ts";
import { BRANCHES, TAGS } from "./repo-cache.ts";

const FULL_SHA = /^[0-9a-f]{40}$/;
const SHORT_SHA = /^[0-9a-f]{4,39}$/;

/** Refuses refs git could read as options or that no branch, tag or commit can have. */
export function checkRef(ref: string): void {
  if (!gitRef.safeParse(ref).success) {
    throw new BerthError("invalid", `ref ${quote(ref)} is not a valid branch, tag or commit name`);
  }
}

/**
 * The commit `ref` names on a remote that was just fetched into the cache: a branch, then
 * a tag, then a full or short commit SHA; no ref (or HEAD) means the default branch.
 */
export async function resolveRef(remote: CachedRemote, ref: string | undefined): Promise<string> {
  if (ref === undefined || ref === "HEAD") return defaultBranch(remote);
  const found = await lookup(remote, ref);
  if (found) return found;
  if (FULL_SHA.test(ref.toLowerCase())) {
    const fetched = await fetchCommit(remote, ref.toLowerCase());
    if (fetched) return fetched;
  }
  throw new BerthError("invalid", `ref ${quote(ref)} not found in ${remote.redactedUrl}`);
}

/** Makes sure `commit` is in the cache, fetching it by SHA if no branch or tag holds it. */
export async function fetchCommit(remote: CachedRemote, commit: string): Promise<string | undefined> {
  const cached = await remote.commitOf(commit);
  if (cached) return cached;
  try {
    // Servers that allow it (GitHub, Gitea, GitLab do) hand out a commit by SHA.
    await remote.fetch([commit]);
  } catch {
    return undefined;
  }
  return remote.commitOf(commit);
}

async function lookup(remote: CachedRemote, ref: string): Promise<string | undefined> {
  const candidates = ref.startsWith("refs/heads/")
    ? [BRANCHES + ref.slice("refs/heads/".length)]
    : ref.startsWith("refs/tags/")
      ? [TAGS + ref.slice("refs/tags/".length)]
      : [BRANCHES + ref, TAGS + ref];
  for (const candidate of candidates) {
    const sha = await remote.commitOf(candidate);
    if (sha) return sha;
  }
  const lower = ref.toLowerCase();
  if (FULL_SHA.test(lower) || SHORT_SHA.test(lower)) return remote.commitOf(lower);
  return undefined;
}

async function defaultBranch(remote: CachedRemote): Promise<string> {
  const head = await remote.remoteHead();
  if (head.branch) {
    const sha = await remote.commitOf(BRANCHES + head.branch);
    if (sha) return sha;
  }
  if (head.commit) {
    const sha = await remote.commitOf(head.commit);
    if (sha) return sha;
  }
  throw new BerthError("invalid", `${remote.redactedUrl} has no default branch (is the repository empty?)`);
}

/**
 * The commit a branch or tag points to on the remote now, asked with `git ls-remote` (nothing
 * is fetched): a branch first, then a tag (peeled to its commit); no ref means the default
 * branch. Undefined when no branch or tag has that name (a commit SHA never moves).
 */
export async function remoteHead(remote: CachedRemote, ref: string | undefined): Promise<string | undefined> {
  if (ref === undefined || ref === "HEAD") return (await remote.listRemote(["HEAD"])).get("HEAD");
  const name = ref.replace(/^refs\/(heads|tags)\//, "");
  const candidates = ref.startsWith("refs/tags/") ? [] : [`refs/heads/${name}`];
  if (!ref.startsWith("refs/heads/")) candidates.push(`refs/tags/${name}^{}`, `refs/tags/${name}`);
  const found = await remote.listRemote(candidates);
  return candidates.map((c) => found.get(c)).find((sha) => sha !== undefined);
}
