import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BerthError } from "../../core/errors.ts";
import { expectBerthError } from "../../../test/support/errors.ts";
import { generateDeployKey } from "./deploy-key.ts";
import { createGitSource } from "./git-source.ts";
import { tempDir } from "./local-repo.testing.ts";
import { eventually, silentServer, visibleCommandLines } from "./process-scan.testing.ts";
import { spawnGit, type GitCommand, type RunGit } from "./run-git.ts";

const cacheDir = tempDir();
const workDir = tempDir("berth-git-work-");
const TOKEN = "ghp_berthTestToken0123456789abcdef";
const BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");
afterAll(() => {
  rmSync(cacheDir, { recursive: true, force: true });
  rmSync(workDir, { recursive: true, force: true });
});

/** A runGit that records every command and can look around while the first fetch runs. */
function observingRunner(whileFetching?: (command: GitCommand) => Promise<void>) {
  const commands: GitCommand[] = [];
  const runGit: RunGit = async (command) => {
    commands.push(command);
    const run = spawnGit(command);
    const firstFetch = command.args.includes("fetch") && commands.filter((c) => c.args.includes("fetch")).length === 1;
    if (whileFetching && firstFetch) await whileFetching(command);
    return run;
  };
  return { runGit, commands };
}

const failure = (promise: Promise<unknown>): Promise<BerthError> => expectBerthError(promise);

/** Lines of a private key long enough to identify it. */
const keyLines = (key: string) => key.split("\n").filter((line) => line.length >= 16 && !line.startsWith("-----"));

describe("https token", () => {
  test("sent as a basic-auth header, never in argv, the URL or the error", async () => {
    const headers: (string | null)[] = [];
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(request) {
        headers.push(request.headers.get("authorization"));
        await held;
        return new Response("no", { status: 401, headers: { "WWW-Authenticate": 'Basic realm="git"' } });
      },
    });
    const url = `http://127.0.0.1:${server.port}/private.git`;
    let seenWhileRunning: string[] = [];
    const { runGit, commands } = observingRunner(async () => {
      await eventually(() => headers.length > 0);
      seenWhileRunning = visibleCommandLines().filter((line) => line.includes(url));
      release();
    });
    try {
      const source = createGitSource({ cacheDir, knownHostsFile: join(cacheDir, "kh"), tempDir: workDir, runGit });
      const error = await failure(source.resolve({ url, credentials: { httpsToken: TOKEN } }));
      expect(error.code).toBe("unavailable");
      expect(error.message).toBe(`cannot reach ${url}: authentication failed (the server asked for credentials; check the https token)`);
      expect(error.message).not.toContain(TOKEN);
      expect(error.message).not.toContain(BASIC);

      expect(headers[0]).toBe(`Basic ${BASIC}`);
      expect(seenWhileRunning.length).toBeGreaterThan(0);
      for (const line of seenWhileRunning) expect(line).not.toContain(TOKEN);
      const fetch = commands.find((command) => command.args.includes("fetch"))!;
      expect(fetch.args).toContain(url);
      expect(fetch.args.join(" ")).not.toContain(TOKEN);
      expect(fetch.args.join(" ")).not.toContain(BASIC);
      expect(fetch.env.GIT_CONFIG_KEY_0).toBe("http.extraHeader");
    } finally {
      server.stop(true);
    }
  });

  test("a token with a line break is refused without echoing it", async () => {
    const source = createGitSource({ cacheDir, knownHostsFile: join(cacheDir, "kh") });
    const error = await failure(source.resolve({ url: "http://127.0.0.1:9/x.git", credentials: { httpsToken: `${TOKEN}\nX-Evil: 1` } }));
    expect(error.code).toBe("invalid");
    expect(error.message).toBe("the https token must not contain control characters");
  });

  test("credentials written into the URL are refused without being echoed", async () => {
    const source = createGitSource({ cacheDir, knownHostsFile: join(cacheDir, "kh") });
    for (const url of [`http://user:${TOKEN}@127.0.0.1:9/x.git`, `http://${TOKEN}@127.0.0.1:9/x.git`, `ssh://git:${TOKEN}@127.0.0.1:9/x.git`]) {
      const error = await failure(source.resolve({ url, ref: "nope" }));
      expect(error.code).toBe("invalid");
      expect(error.message).toContain("must not carry credentials; store a token with `berth block git-token PROJECT BLOCK`");
      expect(error.message).not.toContain(TOKEN);
    }
    const bad = await failure(source.resolve({ url: `https://user:${TOKEN}@host/x.git --upload-pack=x` }));
    expect(bad.message).not.toContain(TOKEN);
  });
});

describe("ssh deploy key", () => {
  test("a 0600 file in a private dir for the call only, out of argv and messages", async () => {
    const { privateKey } = await generateDeployKey();
    const server = silentServer();
    let keyFile = "";
    let seenWhileRunning: string[] = [];
    const { runGit } = observingRunner(async (command) => {
      keyFile = /-i (\S+)/.exec(command.env.GIT_SSH_COMMAND ?? "")?.[1] ?? "";
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(statSync(join(keyFile, "..")).mode & 0o777).toBe(0o700);
      expect(await Bun.file(keyFile).text()).toBe(privateKey);
      await eventually(() => server.openConnections() > 0);
      seenWhileRunning = visibleCommandLines();
    });
    try {
      const source = createGitSource({ cacheDir, knownHostsFile: join(cacheDir, "kh"), tempDir: workDir, timeoutMs: 1500, runGit });
      const url = `ssh://git@127.0.0.1:${server.port}/private.git`;
      const error = await failure(source.resolve({ url, credentials: { sshPrivateKey: privateKey } }));
      expect(error.message).toBe(`cannot reach ${url}: git fetch timed out after 1.5s`);

      expect(keyFile).toStartWith(workDir);
      expect(seenWhileRunning.some((line) => line.startsWith("ssh ") && line.includes(keyFile))).toBe(true);
      for (const secret of keyLines(privateKey)) {
        for (const line of seenWhileRunning) expect(line).not.toContain(secret);
      }
      expect(existsSync(join(keyFile, ".."))).toBe(false);
    } finally {
      server.stop();
    }
  });

  test("text that is not a private key is refused without echoing it", async () => {
    const source = createGitSource({ cacheDir, knownHostsFile: join(cacheDir, "kh") });
    const error = await failure(
      source.resolve({ url: "ssh://git@127.0.0.1:9/x.git", credentials: { sshPrivateKey: "ssh-ed25519 AAAAsecretish berth" } }),
    );
    expect(error.code).toBe("invalid");
    expect(error.message).toBe("the ssh deploy key is not an OpenSSH or PEM private key");
  });

  test("generateDeployKey makes a matching ed25519 pair in OpenSSH format", async () => {
    const [a, b] = await Promise.all([generateDeployKey(), generateDeployKey()]);
    expect(a.privateKey).toStartWith("-----BEGIN OPENSSH PRIVATE KEY-----\n");
    expect(a.privateKey).toEndWith("-----END OPENSSH PRIVATE KEY-----\n");
    expect(a.publicKey).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/=]+ berth-deploy-key$/);
    expect(b.publicKey).not.toBe(a.publicKey);

    const file = join(workDir, "check-key");
    writeFileSync(file, a.privateKey, { mode: 0o600 });
    const derived = Bun.spawnSync(["ssh-keygen", "-y", "-f", file], { stdin: "ignore" });
    rmSync(file);
    expect(derived.stdout.toString().trim().split(" ").slice(0, 2)).toEqual(a.publicKey.split(" ").slice(0, 2));
  });
});
