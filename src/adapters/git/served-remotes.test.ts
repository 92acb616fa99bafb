// Over real servers from scripts/test-env/setup.sh: git http-backend and sshd on loopback.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { authorizeKey, createRepo, knownHostsLine, loadTestEnv, type TestRepo } from "../../../test/support/test-env.ts";
import { BerthError } from "../../core/errors.ts";
import { generateDeployKey } from "./deploy-key.ts";
import { createGitSource } from "./git-source.ts";
import { oneLineFailure, tempDir } from "./local-repo.testing.ts";

const env = loadTestEnv();
const cacheDir = tempDir();
const pinned = join(cacheDir, "known_hosts");
writeFileSync(pinned, knownHostsLine(env));
const source = createGitSource({ cacheDir, knownHostsFile: pinned, timeoutMs: 30_000 });

let repo: TestRepo;
let first: string;
let deployKey: { privateKey: string; publicKey: string };

beforeAll(async () => {
  repo = createRepo("git-source", { "README.md": "hello\n", "services/api/index.ts": "v1\n" });
  first = repo.commit({}, "tip");
  deployKey = await generateDeployKey();
  authorizeKey(deployKey.publicKey, env);
});
afterAll(() => {
  repo?.remove();
  rmSync(cacheDir, { recursive: true, force: true });
});

/** A one-line BerthError that also holds no line of the deploy key. */
async function failure(promise: Promise<unknown>): Promise<BerthError> {
  const berth = await oneLineFailure(promise);
  for (const line of deployKey.privateKey.split("\n").filter((l) => l.length >= 16 && !l.startsWith("-----"))) {
    expect(berth.message).not.toContain(line);
  }
  return berth;
}

describe("http", () => {
  test("resolve, fetch a new commit, check out a subfolder", async () => {
    expect(await source.resolve({ url: repo.httpUrl })).toBe(first);
    expect(await source.resolve({ url: repo.httpUrl, ref: "main" })).toBe(first);
    const second = repo.commit({ "services/api/index.ts": "v2\n" }, "v2");
    expect(await source.resolve({ url: repo.httpUrl, credentials: { httpsToken: "ignored-by-this-server" } })).toBe(second);
    const out = await source.checkout({ url: repo.httpUrl }, second, "services/api");
    expect(readFileSync(join(out.dir, "index.ts"), "utf8")).toBe("v2\n");
    await out.cleanup();
  });

  test("a repository the server does not have", async () => {
    const url = `${env.gitHttp}/no-such-repo.git`;
    const error = await failure(source.resolve({ url }));
    expect(error.code).toBe("unavailable");
    expect(error.message).toStartWith(`cannot reach ${url}: `);
  });
});

describe("ssh", () => {
  test("an authorised deploy key resolves and checks out", async () => {
    const credentials = { sshPrivateKey: deployKey.privateKey };
    const head = await source.resolve({ url: repo.sshUrl, credentials });
    expect(head).toBe(await source.resolve({ url: repo.httpUrl }));
    const out = await source.checkout({ url: repo.sshUrl, credentials }, head);
    expect(readFileSync(join(out.dir, "README.md"), "utf8")).toBe("hello\n");
    await out.cleanup();
  });

  test("a host seen for the first time is added to known_hosts", async () => {
    const dir = tempDir();
    try {
      const knownHostsFile = join(dir, "ssh", "known_hosts");
      const fresh = createGitSource({ cacheDir: dir, knownHostsFile });
      await fresh.resolve({ url: repo.sshUrl, credentials: { sshPrivateKey: deployKey.privateKey } });
      const hostKey = readFileSync(env.sshHostPubkey, "utf8").trim().split(/\s+/)[1]!;
      expect(readFileSync(knownHostsFile, "utf8")).toContain(hostKey);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a key that is not authorised, or none: permission denied, no host keys tried", async () => {
    const stranger = await generateDeployKey();
    for (const credentials of [{ sshPrivateKey: stranger.privateKey }, undefined]) {
      const error = await failure(source.resolve({ url: repo.sshUrl, credentials }));
      expect(error.code).toBe("unavailable");
      expect(error.message).toBe(`cannot reach ${repo.sshUrl}: ${env.sshUser}@${env.sshHost}: Permission denied (publickey).`);
    }
  });

  test("a changed host key is refused", async () => {
    const dir = tempDir();
    try {
      const other = (await generateDeployKey()).publicKey.split(" ").slice(0, 2).join(" ");
      const knownHostsFile = join(dir, "known_hosts");
      writeFileSync(knownHostsFile, `[${env.sshHost}]:${env.sshPort} ${other}\n`);
      const wary = createGitSource({ cacheDir: dir, knownHostsFile });
      const error = await failure(wary.resolve({ url: repo.sshUrl, credentials: { sshPrivateKey: deployKey.privateKey } }));
      expect(error.message).toBe(`cannot reach ${repo.sshUrl}: Host key verification failed.`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
