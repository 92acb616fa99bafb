import { hmacMatches, tokenMatches } from "./signature.ts";

/** Reads a request header by name, case-insensitively. */
export type Headers = (name: string) => string | undefined;

/** One ref a push changed: `after` is null when the push deleted it. */
export interface RefUpdate {
  kind: "branch" | "tag";
  name: string;
  after: string | null;
}

export interface PushEvent {
  updates: RefUpdate[];
  /** The repository's default branch, when the payload names it. */
  defaultBranch?: string;
}

/** What Berth reads from one git host's webhook requests. */
export interface Provider {
  name: "github" | "gitea" | "gitlab" | "bitbucket";
  /** The header carrying the proof, named in refusals. */
  proofHeader: string;
  /** Whether the request comes from this host (checked in the order of PROVIDERS). */
  detect(headers: Headers): boolean;
  verify(headers: Headers, body: Uint8Array, secret: string): boolean;
  event(headers: Headers): string;
  isPush(event: string): boolean;
  delivery(headers: Headers): string | undefined;
  /** The refs a push event changed; throws on a payload of the wrong shape. */
  push(payload: unknown): PushEvent;
}

type Json = Record<string, unknown>;
const object = (value: unknown): Json => (value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {});
const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
const ZERO_SHA = /^0+$/;

/** `refs/heads/main` → a branch update, `refs/tags/v1` → a tag update. */
function fromFullRef(ref: unknown, after: unknown, deleted = false): RefUpdate {
  const name = text(ref);
  const sha = text(after);
  if (!name || !/^refs\/(heads|tags)\//.test(name)) throw new Error(`the push names no branch or tag ref (ref: ${JSON.stringify(ref ?? null)})`);
  const kind = name.startsWith("refs/heads/") ? "branch" : "tag";
  return { kind, name: name.replace(/^refs\/(heads|tags)\//, ""), after: deleted || !sha || ZERO_SHA.test(sha) ? null : sha };
}

/** GitHub's push payload, which Gitea and Forgejo copy: `ref`, `after`, `deleted`, `repository.default_branch`. */
function githubPush(payload: unknown): PushEvent {
  const body = object(payload);
  return { updates: [fromFullRef(body.ref, body.after, body.deleted === true)], defaultBranch: text(object(body.repository).default_branch) };
}

const header = (name: string) => (headers: Headers) => headers(name);

/** Detection order matters: Gitea and Forgejo also send GitHub's headers. */
export const PROVIDERS: Provider[] = [
  {
    name: "gitea",
    proofHeader: "X-Gitea-Signature",
    detect: (h) => h("X-Gitea-Event") !== undefined || h("X-Forgejo-Event") !== undefined,
    verify: (h, body, secret) => hmacMatches(h("X-Gitea-Signature") ?? h("X-Forgejo-Signature"), secret, body),
    event: (h) => h("X-Gitea-Event") ?? h("X-Forgejo-Event") ?? "",
    isPush: (event) => event === "push",
    delivery: (h) => h("X-Gitea-Delivery") ?? h("X-Forgejo-Delivery"),
    push: githubPush,
  },
  {
    name: "gitlab",
    proofHeader: "X-Gitlab-Token",
    detect: (h) => h("X-Gitlab-Event") !== undefined || h("X-Gitlab-Token") !== undefined,
    verify: (h, _body, secret) => tokenMatches(h("X-Gitlab-Token"), secret),
    event: (h) => h("X-Gitlab-Event") ?? "",
    isPush: (event) => event === "Push Hook",
    delivery: (h) => h("X-Gitlab-Event-UUID") ?? h("X-Gitlab-Webhook-UUID"),
    push(payload) {
      const body = object(payload);
      return { updates: [fromFullRef(body.ref, body.after)], defaultBranch: text(object(body.project).default_branch) };
    },
  },
  {
    name: "github",
    proofHeader: "X-Hub-Signature-256",
    detect: (h) => h("X-GitHub-Event") !== undefined || h("X-Hub-Signature-256") !== undefined,
    verify: (h, body, secret) => hmacMatches(h("X-Hub-Signature-256"), secret, body, "sha256="),
    event: (h) => h("X-GitHub-Event") ?? "",
    isPush: (event) => event === "push",
    delivery: header("X-GitHub-Delivery"),
    push: githubPush,
  },
  {
    // Cloud sends repo:push with X-Request-UUID; Data Center/Server repo:refs_changed with X-Request-Id.
    name: "bitbucket",
    proofHeader: "X-Hub-Signature",
    detect: (h) => h("X-Event-Key") !== undefined || h("X-Hook-UUID") !== undefined,
    verify: (h, body, secret) => hmacMatches(h("X-Hub-Signature"), secret, body, "sha256="),
    event: (h) => h("X-Event-Key") ?? "",
    isPush: (event) => event === "repo:push" || event === "repo:refs_changed",
    delivery: (h) => h("X-Request-UUID") ?? h("X-Request-Id"),
    push(payload) {
      const body = object(payload);
      if (Array.isArray(object(body.push).changes)) {
        const changes = object(body.push).changes as unknown[];
        return {
          updates: changes.map((change) => {
            const c = object(change);
            const side = object(c.new ?? c.old);
            const name = text(side.name);
            if (!name || (side.type !== "branch" && side.type !== "tag")) throw new Error("a change in the push names no branch or tag");
            return { kind: side.type === "tag" ? "tag" : "branch", name, after: c.new ? (text(object(object(c.new).target).hash) ?? null) : null };
          }),
          defaultBranch: text(object(object(body.repository).mainbranch).name),
        };
      }
      if (Array.isArray(body.changes)) {
        return { updates: (body.changes as unknown[]).map((change) => {
          const c = object(change);
          return fromFullRef(object(c.ref).id ?? c.refId, c.toHash, c.type === "DELETE");
        }) };
      }
      throw new Error("the push has no list of changes");
    },
  },
];

/** The git host a request comes from, by its headers; undefined when none is recognised. */
export const identify = (headers: Headers): Provider | undefined => PROVIDERS.find((p) => p.detect(headers));
