// Proves the environment from scripts/test-env/setup.sh works for real: Docker
// engine, local base images, git over HTTP and SSH on loopback.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { authorizeKey, createRepo, git, knownHostsLine, loadTestEnv, type TestRepo } from "./test-env.ts";

const env = loadTestEnv();

function run(argv: string[]): { code: number; stdout: string; stderr: string } {
  const result = Bun.spawnSync(argv, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

describe("docker", () => {
  test("engine answers", () => {
    const info = run(["docker", "info", "--format", "{{.ServerVersion}}"]);
    expect(info.stderr).toBe("");
    expect(info.code).toBe(0);
    expect(info.stdout.trim()).not.toBe("");
  });

  const cases: Array<[keyof typeof env.images, string[], string]> = [
    ["debian", ["sh", "-c", "echo ok"], "ok"],
    ["busybox", ["sh", "-c", "echo ok"], "ok"],
    ["node", ["node", "-e", "console.log('node ' + (6 * 7))"], "node 42"],
    ["python", ["python3", "-c", "print('python', 6 * 7)"], "python 42"],
  ];
  for (const [name, command, expected] of cases) {
    test(`base image ${name} runs a command`, () => {
      const image = env.images[name];
      expect(run(["docker", "image", "inspect", image]).code).toBe(0);
      const result = run(["docker", "run", "--rm", "--network", "none", image, ...command]);
      expect(result.stderr).toBe("");
      expect(result.stdout.trim()).toBe(expected);
    });
  }
});

describe("git servers", () => {
  let work: string;
  let repo: TestRepo;
  let sshCommand: string;
  let unauthorizedSshCommand: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "berth-test-env-"));
    repo = createRepo("env-check", { "README.md": "hello\n", "app/main.py": "print('v1')\n" });

    const knownHosts = join(work, "known_hosts");
    writeFileSync(knownHosts, knownHostsLine(env));
    const keyFor = (name: string): string => {
      const key = join(work, name);
      const gen = run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", `berth-${name}`, "-f", key]);
      expect(gen.code).toBe(0);
      return key;
    };
    const key = keyFor("deploy_key");
    const otherKey = keyFor("other_key");
    authorizeKey(readFileSync(`${key}.pub`, "utf8"), env);

    const ssh = (identity: string) =>
      [
        "ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes",
        `-o UserKnownHostsFile=${knownHosts} -o GlobalKnownHostsFile=/dev/null -i ${identity}`,
      ].join(" ");
    sshCommand = ssh(key);
    unauthorizedSshCommand = ssh(otherKey);
  });

  afterAll(() => {
    repo?.remove();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test("createRepo returns the three URL forms", () => {
    expect(repo.httpUrl).toBe(`${env.gitHttp}/${repo.name}.git`);
    expect(repo.sshUrl).toBe(`ssh://${env.sshUser}@${env.sshHost}:${env.sshPort}${env.gitRoot}/${repo.name}.git`);
    expect(repo.fileUrl).toBe(`file://${env.gitRoot}/${repo.name}.git`);
  });

  test("clone over http and push back over http", () => {
    const clone = join(work, "http-clone");
    git(["clone", "--quiet", repo.httpUrl, clone]);
    expect(readFileSync(join(clone, "README.md"), "utf8")).toBe("hello\n");
    expect(readFileSync(join(clone, "app/main.py"), "utf8")).toBe("print('v1')\n");

    writeFileSync(join(clone, "from-http.txt"), "pushed over http\n");
    git(["add", "from-http.txt"], { cwd: clone });
    git(["commit", "--quiet", "-m", "push over http"], { cwd: clone });
    git(["push", "--quiet", "origin", "main"], { cwd: clone });
    expect(git(["rev-parse", "main"], { cwd: repo.bareDir })).toBe(git(["rev-parse", "HEAD"], { cwd: clone }));
  });

  test("clone over ssh with an authorized key, push as the git user", () => {
    const clone = join(work, "ssh-clone");
    git(["clone", "--quiet", repo.sshUrl, clone], { env: { GIT_SSH_COMMAND: sshCommand } });
    expect(readFileSync(join(clone, "from-http.txt"), "utf8")).toBe("pushed over http\n");

    writeFileSync(join(clone, "from-ssh.txt"), "pushed over ssh\n");
    git(["add", "from-ssh.txt"], { cwd: clone });
    git(["commit", "--quiet", "-m", "push over ssh"], { cwd: clone });
    git(["push", "--quiet", "origin", "main"], { cwd: clone, env: { GIT_SSH_COMMAND: sshCommand } });
    expect(git(["rev-parse", "main"], { cwd: repo.bareDir })).toBe(git(["rev-parse", "HEAD"], { cwd: clone }));
  });

  test("a second commit from createRepo is fetched over http and ssh", () => {
    // createRepo's working clone is behind the two pushes above: catch up first.
    git(["pull", "--quiet", "--ff-only", "origin", "main"], { cwd: repo.dir });
    const sha = repo.commit({ "app/main.py": "print('v2')\n" }, "Second version");
    expect(sha).toMatch(/^[0-9a-f]{40}$/);

    const viaHttp = join(work, "http-clone");
    git(["fetch", "--quiet", "origin"], { cwd: viaHttp });
    expect(git(["rev-parse", "origin/main"], { cwd: viaHttp })).toBe(sha);

    const viaSsh = join(work, "ssh-clone");
    git(["fetch", "--quiet", "origin"], { cwd: viaSsh, env: { GIT_SSH_COMMAND: sshCommand } });
    expect(git(["rev-parse", "origin/main"], { cwd: viaSsh })).toBe(sha);
    expect(git(["show", "origin/main:app/main.py"], { cwd: viaSsh })).toBe("print('v2')");
  });

  test("ssh refuses unknown keys and anything but git commands", () => {
    expect(() =>
      git(["ls-remote", repo.sshUrl], { env: { GIT_SSH_COMMAND: unauthorizedSshCommand } }),
    ).toThrow(/Permission denied|Could not read from remote/);

    const shell = run([
      ...sshCommand.split(" "),
      "-p",
      String(env.sshPort),
      `${env.sshUser}@${env.sshHost}`,
      "id",
    ]);
    expect(shell.code).not.toBe(0);
    expect(shell.stdout).toBe("");
  });
});
