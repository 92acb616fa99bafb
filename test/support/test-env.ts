// Access to the integration-test environment prepared by scripts/test-env/setup.sh:
// Docker base images, git over HTTP and SSH on loopback, a repos root on disk.
//
//   const env = loadTestEnv();
//   const repo = createRepo("hello", { "index.js": "console.log('hi')\n" });
//   repo.httpUrl  // http://127.0.0.1:7480/hello-1a2b3c4d.git
//   repo.sshUrl   // ssh://git@127.0.0.1:2222/<git root>/hello-1a2b3c4d.git
//   const sha = repo.commit({ "index.js": "console.log('v2')\n" }, "v2");

import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

export interface TestEnv {
  /** State directory of the environment (logs, keys, repos). */
  state: string;
  /** Base URL of the git smart-HTTP server, e.g. http://127.0.0.1:7480 */
  gitHttp: string;
  /** Directory holding the bare repositories served over HTTP and SSH. */
  gitRoot: string;
  sshHost: string;
  sshPort: number;
  sshUser: string;
  /** authorized_keys file of the ssh user; append public keys to grant access. */
  sshAuthorizedKeys: string;
  /** Path of sshd's host public key (OpenSSH format), for pinning. */
  sshHostPubkey: string;
  images: { debian: string; busybox: string; node: string; python: string };
  /** Stand-ins for the catalog's official images, built by setup.sh from Debian packages. */
  services: { postgres: string; redis: string; mariadb: string };
}

/** State directory used by setup.sh: $BERTH_TEST_STATE or <repo>/.test-env. */
export function testStateDir(): string {
  return process.env.BERTH_TEST_STATE ?? resolve(import.meta.dir, "../../.test-env");
}

/** Read $STATE/env written by scripts/test-env/setup.sh. */
export function loadTestEnv(): TestEnv {
  const file = join(testStateDir(), "env");
  if (!existsSync(file)) {
    throw new Error(`test environment not set up (${file} is missing): run \`bash scripts/test-env/setup.sh\` as root first`);
  }
  const vars = new Map<string, string>();
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const match = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) vars.set(match[1]!, match[2]!.trim().replace(/^(['"])(.*)\1$/, "$2"));
  }
  const get = (key: string): string => {
    const value = vars.get(key);
    if (!value) throw new Error(`${file} has no ${key}: re-run \`bash scripts/test-env/setup.sh\``);
    return value;
  };
  return {
    state: get("BERTH_TEST_STATE"),
    gitHttp: get("BERTH_TEST_GIT_HTTP"),
    gitRoot: get("BERTH_TEST_GIT_ROOT"),
    sshHost: get("BERTH_TEST_SSH_HOST"),
    sshPort: Number(get("BERTH_TEST_SSH_PORT")),
    sshUser: get("BERTH_TEST_SSH_USER"),
    sshAuthorizedKeys: get("BERTH_TEST_SSH_AUTHORIZED_KEYS"),
    sshHostPubkey: get("BERTH_TEST_SSH_HOST_PUBKEY"),
    images: {
      debian: get("BERTH_TEST_BASE_DEBIAN"),
      busybox: get("BERTH_TEST_BASE_BUSYBOX"),
      node: get("BERTH_TEST_BASE_NODE"),
      python: get("BERTH_TEST_BASE_PYTHON"),
    },
    // An env file from before these images existed still names the tags setup.sh builds.
    services: {
      postgres: vars.get("BERTH_TEST_SERVICE_POSTGRES") ?? "berth-base/postgres:15",
      redis: vars.get("BERTH_TEST_SERVICE_REDIS") ?? "berth-base/redis:7",
      mariadb: vars.get("BERTH_TEST_SERVICE_MARIADB") ?? "berth-base/mariadb:10.11",
    },
  };
}

/** known_hosts line pinning the test sshd's host key. */
export function knownHostsLine(env: TestEnv = loadTestEnv()): string {
  const [type, key] = readFileSync(env.sshHostPubkey, "utf8").trim().split(/\s+/);
  return `[${env.sshHost}]:${env.sshPort} ${type} ${key}\n`;
}

/** Grant a public key (one OpenSSH line) git access over SSH. */
export function authorizeKey(publicKey: string, env: TestEnv = loadTestEnv()): void {
  const line = publicKey.trim();
  if (!/^(ssh-|ecdsa-|sk-)\S+ \S+/.test(line) || line.includes("\n")) {
    throw new Error(`not a single OpenSSH public key line: ${JSON.stringify(publicKey.slice(0, 40))}`);
  }
  appendFileSync(env.sshAuthorizedKeys, `${line}\n`);
}

/** Environment for git child processes: no prompts, no host/user config, fixed identity. */
export function gitEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? tmpdir(),
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_AUTHOR_NAME: "Berth Test",
    GIT_AUTHOR_EMAIL: "test@berth.invalid",
    GIT_COMMITTER_NAME: "Berth Test",
    GIT_COMMITTER_EMAIL: "test@berth.invalid",
    ...extra,
  };
}

/** Run git with an argv array; returns trimmed stdout, throws with stderr on failure. */
export function git(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): string {
  if (options.cwd && !existsSync(options.cwd)) throw new Error(`git ${args.join(" ")}: no directory ${options.cwd}`);
  const result = Bun.spawnSync(["git", ...args], {
    cwd: options.cwd,
    env: gitEnv(options.env),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  if (result.exitCode !== 0) {
    throw new Error(`git ${args.join(" ")} failed (exit ${result.exitCode}): ${result.stderr.toString().trim()}`);
  }
  return result.stdout.toString().trim();
}

export interface TestRepo {
  /** Unique repository name (the given name plus a random suffix). */
  name: string;
  /** Bare repository on disk. */
  bareDir: string;
  /** Working clone whose origin is the bare repository. */
  dir: string;
  httpUrl: string;
  sshUrl: string;
  fileUrl: string;
  /** Write files (paths relative to the repo), commit them, push to main; returns the commit sha. */
  commit(files: Record<string, string>, message: string): string;
  /** Delete the bare repository and the working clone. */
  remove(): void;
}

/**
 * Create a bare repository under the git root (served over HTTP and SSH) and a
 * working clone, commit `files` on branch main and push.
 */
export function createRepo(name: string, files: Record<string, string>, env: TestEnv = loadTestEnv()): TestRepo {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`invalid repository name: ${name}`);
  const unique = `${name}-${crypto.randomUUID().slice(0, 8)}`;
  const bareDir = join(env.gitRoot, `${unique}.git`);
  git(["init", "--quiet", "--bare", "--initial-branch=main", bareDir]);

  const dir = mkdtempSync(join(tmpdir(), `berth-repo-${name}-`));
  git(["init", "--quiet", "--initial-branch=main"], { cwd: dir });
  git(["remote", "add", "origin", bareDir], { cwd: dir });

  const commit = (changes: Record<string, string>, message: string): string => {
    for (const [path, content] of Object.entries(changes)) {
      const target = resolve(dir, path);
      if (!target.startsWith(`${dir}/`)) throw new Error(`file path escapes the repository: ${path}`);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    git(["add", "--all"], { cwd: dir });
    git(["commit", "--quiet", "--allow-empty", "-m", message], { cwd: dir });
    git(["push", "--quiet", "origin", "HEAD:refs/heads/main"], { cwd: dir });
    return git(["rev-parse", "HEAD"], { cwd: dir });
  };
  commit(files, "Initial commit");

  return {
    name: unique,
    bareDir,
    dir,
    httpUrl: `${env.gitHttp}/${unique}.git`,
    sshUrl: `ssh://${env.sshUser}@${env.sshHost}:${env.sshPort}${bareDir}`,
    fileUrl: `file://${bareDir}`,
    commit,
    remove() {
      rmSync(bareDir, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
