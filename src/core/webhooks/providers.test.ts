import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { identify, type Headers } from "./providers.ts";

const SECRET = "s3cret-for-tests";
const body = new TextEncoder().encode(JSON.stringify({ ref: "refs/heads/main", after: "a".repeat(40), repository: { default_branch: "main" } }));
const tampered = new TextEncoder().encode(JSON.stringify({ ref: "refs/heads/main", after: "b".repeat(40), repository: { default_branch: "main" } }));
const hex = (secret: string, data: Uint8Array) => createHmac("sha256", secret).update(data).digest("hex");

/** A case-insensitive header reader, like a real request's. */
const headers = (h: Record<string, string>): Headers => {
  const lower = new Map(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
  return (name) => lower.get(name.toLowerCase());
};

/** Each git host's headers for a push signed with `secret` over `data`. */
const SIGNED: Record<string, (secret: string, data: Uint8Array) => Record<string, string>> = {
  github: (secret, data) => ({ "X-GitHub-Event": "push", "X-GitHub-Delivery": "d-1", "X-Hub-Signature-256": `sha256=${hex(secret, data)}` }),
  // Gitea also sends GitHub's headers; its own must win.
  gitea: (secret, data) => ({ "X-Gitea-Event": "push", "X-Gitea-Delivery": "d-2", "X-Gitea-Signature": hex(secret, data), "X-GitHub-Event": "push" }),
  gitlab: (secret) => ({ "X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": "d-3", "X-Gitlab-Token": secret }),
  bitbucket: (secret, data) => ({ "X-Event-Key": "repo:push", "X-Hook-UUID": "h-1", "X-Request-UUID": "d-4", "X-Hub-Signature": `sha256=${hex(secret, data)}` }),
};
const PROOF: Record<string, string> = { github: "X-Hub-Signature-256", gitea: "X-Gitea-Signature", gitlab: "X-Gitlab-Token", bitbucket: "X-Hub-Signature" };

describe("webhook signatures per git host", () => {
  for (const [name, sign] of Object.entries(SIGNED)) {
    describe(name, () => {
      test("is recognised by its headers", () => {
        expect(identify(headers(sign(SECRET, body)))?.name).toBe(name as never);
      });

      test("a valid signature over the raw body passes", () => {
        const h = headers(sign(SECRET, body));
        expect(identify(h)!.verify(h, body, SECRET)).toBe(true);
      });

      test("a signature made with another secret fails", () => {
        const h = headers(sign("another-secret", body));
        expect(identify(h)!.verify(h, body, SECRET)).toBe(false);
      });

      test("a missing signature fails", () => {
        const withoutProof = Object.fromEntries(Object.entries(sign(SECRET, body)).filter(([k]) => k !== PROOF[name]));
        const h = headers(withoutProof);
        expect(identify(h)!.verify(h, body, SECRET)).toBe(false);
      });

      test("a body changed after signing fails (GitLab's token does not sign the body)", () => {
        const h = headers(sign(SECRET, body));
        expect(identify(h)!.verify(h, tampered, SECRET)).toBe(name === "gitlab");
      });

      test("the event and the delivery id are read", () => {
        const h = headers(sign(SECRET, body));
        const provider = identify(h)!;
        expect(provider.isPush(provider.event(h))).toBe(true);
        expect(provider.delivery(h)).toMatch(/^d-\d$/);
      });
    });
  }

  test("malformed and truncated signatures fail without throwing", () => {
    const github = identify(headers({ "X-GitHub-Event": "push" }))!;
    const good = hex(SECRET, body);
    for (const value of ["", "sha256=", `sha256=${good.slice(0, 63)}`, `sha256=${good}00`, good, `sha1=${good}`, `sha256=${"z".repeat(64)}`]) {
      expect(github.verify(headers({ "X-Hub-Signature-256": value }), body, SECRET)).toBe(false);
    }
    expect(github.verify(headers({ "X-Hub-Signature-256": `sha256=${good.toUpperCase()}` }), body, SECRET)).toBe(true);
  });

  test("a GitLab token of another length or a prefix of the secret fails", () => {
    const gitlab = identify(headers({ "X-Gitlab-Event": "Push Hook" }))!;
    for (const token of ["", SECRET.slice(0, -1), `${SECRET}x`, SECRET.toUpperCase()]) {
      expect(gitlab.verify(headers({ "X-Gitlab-Token": token }), body, SECRET)).toBe(false);
    }
  });

  test("a request from no known git host is not recognised", () => {
    expect(identify(headers({ "Content-Type": "application/json" }))).toBeUndefined();
  });
});

describe("push payloads", () => {
  const provider = (name: string) => identify(headers(SIGNED[name]!(SECRET, body)))!;

  test("GitHub and Gitea: a branch, a tag, a deleted branch", () => {
    expect(provider("github").push({ ref: "refs/heads/main", after: "c".repeat(40), repository: { default_branch: "trunk" } })).toEqual({
      updates: [{ kind: "branch", name: "main", after: "c".repeat(40) }],
      defaultBranch: "trunk",
    });
    expect(provider("gitea").push({ ref: "refs/tags/v1.2", after: "c".repeat(40) }).updates).toEqual([{ kind: "tag", name: "v1.2", after: "c".repeat(40) }]);
    expect(provider("github").push({ ref: "refs/heads/gone", after: "0".repeat(40), deleted: true }).updates[0]!.after).toBeNull();
  });

  test("GitLab: a push, a branch deleted (after is all zeros)", () => {
    expect(provider("gitlab").push({ ref: "refs/heads/feature/x", after: "d".repeat(40), project: { default_branch: "main" } })).toEqual({
      updates: [{ kind: "branch", name: "feature/x", after: "d".repeat(40) }],
      defaultBranch: "main",
    });
    expect(provider("gitlab").push({ ref: "refs/heads/x", after: "0".repeat(40) }).updates[0]!.after).toBeNull();
  });

  test("Bitbucket Cloud: every change of the push; Bitbucket Server: refs_changed", () => {
    const cloud = provider("bitbucket").push({
      push: { changes: [
        { new: { type: "branch", name: "main", target: { hash: "e".repeat(40) } } },
        { new: { type: "tag", name: "v2", target: { hash: "f".repeat(40) } } },
        { new: null, old: { type: "branch", name: "old", target: { hash: "1".repeat(40) } } },
      ] },
      repository: { mainbranch: { name: "main" } },
    });
    expect(cloud).toEqual({
      updates: [
        { kind: "branch", name: "main", after: "e".repeat(40) },
        { kind: "tag", name: "v2", after: "f".repeat(40) },
        { kind: "branch", name: "old", after: null },
      ],
      defaultBranch: "main",
    });
    const server = provider("bitbucket").push({ changes: [{ ref: { id: "refs/heads/main", type: "BRANCH" }, toHash: "2".repeat(40), type: "UPDATE" }] });
    expect(server.updates).toEqual([{ kind: "branch", name: "main", after: "2".repeat(40) }]);
    expect(provider("bitbucket").isPush("repo:refs_changed")).toBe(true);
  });

  test("a payload of the wrong shape is refused with a reason", () => {
    expect(() => provider("github").push({ zen: "hello" })).toThrow(/no branch or tag ref/);
    expect(() => provider("bitbucket").push({})).toThrow(/no list of changes/);
  });
});
