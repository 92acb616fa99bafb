import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSecretBox } from "../src/adapters/crypto/secret-box.ts";
import { freePort, startServe } from "./support/binary.ts";
import { eventually } from "./support/eventually.ts";
import { docker, lines } from "./support/sh.ts";
import { authorizeKey, createRepo, loadTestEnv, type TestRepo } from "./support/test-env.ts";

// Image builds on a shared 2-core engine take tens of seconds each.
setDefaultTimeout(180_000);

const env = loadTestEnv();
const PROJECT = `shop${crypto.randomUUID().slice(0, 6)}`;
// Every hostile payload would create this file if it ever ran; one path per run, so a
// leftover from another run or another test cannot hide or fake a result.
const PWNED = `/tmp/berth-pwned-${PROJECT}`;
// The slow build step carries the project name, so the engine's container list shows ours only.
const SLOW_STEP = `sleep 120 # ${PROJECT}`;

/** Runs an image with its port on loopback and returns what `/` answers. */
async function fetchFromImage(image: string, port: number, path = "/"): Promise<string> {
  const host = freePort();
  const run = docker(["run", "-d", "--rm", "--label", "berth.test=1", "-p", `127.0.0.1:${host}:${port}`, image]);
  expect(run.code).toBe(0);
  try {
    for (let i = 0; i < 100; i++) {
      try {
        const res = await fetch(`http://127.0.0.1:${host}${path}`);
        if (res.ok) return await res.text();
      } catch {}
      await Bun.sleep(100);
    }
    throw new Error(`${image} did not answer on port ${port}`);
  } finally {
    docker(["rm", "-f", run.out]);
  }
}

const SITE = {
  "app/Dockerfile": "FROM berth-base/busybox:latest\nCOPY . /www\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n",
  "app/index.html": "hello from berth\n",
  "app/.dockerignore": "secret.txt\n",
  "app/secret.txt": "do not ship\n",
  "README.md": "outside the build folder\n",
};

let server: Awaited<ReturnType<typeof startServe>>;
let site: TestRepo;
let python: TestRepo;
let broken: TestRepo;

function projectFile() {
  return `project: ${PROJECT}
blocks:
  web:
    kind: website
    git: { url: "${site.httpUrl}", path: app }
    port: 8080
  web-ssh:
    kind: website
    git: { url: "${site.sshUrl}", path: app }
    port: 8080
  api:
    kind: microservice
    git: { url: "${python.httpUrl}" }
    build: { preset: python, version: "3", start: "python3 app.py" }
    port: 8000
  no-dockerfile:
    kind: worker
    git: { url: "${site.httpUrl}", path: . }
  failing:
    kind: worker
    git: { url: "${broken.httpUrl}", path: failing }
  hungry:
    kind: worker
    git: { url: "${broken.httpUrl}", path: hungry }
  slow:
    kind: worker
    git: { url: "${broken.httpUrl}", path: slow }
  unreachable:
    kind: worker
    git: { url: "http://127.0.0.1:9/nothing.git" }
`;
}

beforeAll(async () => {
  site = createRepo("site", SITE);
  python = createRepo("py", {
    "app.py": [
      "import http.server, os",
      "class H(http.server.BaseHTTPRequestHandler):",
      "    def do_GET(self):",
      "        self.send_response(200); self.end_headers(); self.wfile.write(b'hello from python')",
      "http.server.HTTPServer(('0.0.0.0', int(os.environ['PORT'])), H).serve_forever()",
      "",
    ].join("\n"),
  });
  broken = createRepo("broken", {
    "failing/Dockerfile": "FROM berth-base/busybox:latest\nRUN echo about to fail && exit 3\n",
    "hungry/Dockerfile": `FROM ${env.images.python}\nRUN python3 -c "b = b'x' * (2 * 1024 ** 3); print(len(b))"\n`,
    "slow/Dockerfile": `FROM berth-base/busybox:latest\nRUN ${SLOW_STEP}\n`,
  });
  server = await startServe(["--no-edge"], {
    buildMemory: "512Mi",
    buildTimeout: "60s",
    imagesKept: 2,
    presetImages: { python: "berth-base/python:{version}" },
  });
  const file = join(server.home, "berth.yaml");
  writeFileSync(file, projectFile());
  const applied = await server.run(["apply", "-f", file]);
  expect(applied.stderr).toBe("");
});

afterAll(async () => {
  await server?.stop();
  const images = lines(docker(["images", "-q", "--filter", `label=berth.project=${PROJECT}`]));
  if (images.length) docker(["rmi", "-f", ...new Set(images)]);
  for (const repo of [site, python, broken]) repo?.remove();
  rmSync(PWNED, { force: true });
});

const buildsJson = async () => JSON.parse((await server.run(["builds", PROJECT, "--json"])).stdout) as { id: number; block: string; status: string; cacheHit: boolean; commit: string; image: string; reason: string | null }[];

describe("builds from git to image, on the real engine", () => {
  test("a Dockerfile in a subfolder, over http, builds and its image answers", async () => {
    const result = await server.run(["build", PROJECT, "web"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^commit [0-9a-f]{40}$/m);
    const [build] = await buildsJson();
    expect(build).toMatchObject({ block: "web", status: "succeeded", cacheHit: false });
    expect(await fetchFromImage(build!.image, 8080)).toBe("hello from berth\n");
    expect(docker(["run", "--rm", build!.image, "ls", "/www"]).out.split("\n").sort()).toEqual(["Dockerfile", "index.html"]);
  });

  test("the same commit again is a cache hit; a new commit fetches and builds it", async () => {
    const before = (await buildsJson())[0]!;
    const again = await server.run(["build", PROJECT, "web"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("reusing it");
    expect((await buildsJson())[0]).toMatchObject({ status: "succeeded", cacheHit: true, commit: before.commit, image: before.image });

    const sha = site.commit({ "app/index.html": "second version\n" }, "v2");
    expect((await server.run(["build", PROJECT, "web"])).code).toBe(0);
    const latest = (await buildsJson())[0]!;
    expect([latest.commit, latest.cacheHit]).toEqual([sha, false]);
    expect(await fetchFromImage(latest.image, 8080)).toBe("second version\n");
  });

  test("over ssh with a deploy key Berth generated; the private key shows nowhere", async () => {
    const key = await server.run(["block", "key", PROJECT, "web-ssh"]);
    expect(key.stdout.trim()).toMatch(/^ssh-ed25519 \S+ berth-deploy-key$/);
    const denied = await server.run(["build", PROJECT, "web-ssh"]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain("Permission denied");
    authorizeKey(key.stdout);

    const privateKey = readPrivateKey(server.dataDir);
    const keyBody = privateKey.split("\n")[2]!;
    const seen: string[] = [];
    const watcher = watchProcesses((cmdline) => seen.push(cmdline));
    const built = await server.run(["build", PROJECT, "web-ssh"]);
    watcher.stop();
    expect(built.code).toBe(0);
    // Berth's own ssh client (with its key file), not the test environment's sshd that always runs.
    expect(seen.some((c) => c.startsWith("ssh ") && / -i \S+/.test(c) && c.includes(String(env.sshPort)))).toBe(true);
    for (const text of [built.stdout, built.stderr, ...seen, (await server.run(["builds", PROJECT, "--json"])).stdout]) {
      expect(text).not.toContain(keyBody);
      expect(text).not.toContain("PRIVATE KEY");
    }
    for (const log of readdirSync(join(server.dataDir, "logs/builds"))) {
      expect(readFileSync(join(server.dataDir, "logs/builds", log), "utf8")).not.toContain(keyBody);
    }
    const rotated = await server.run(["block", "key", PROJECT, "web-ssh", "--rotate"]);
    expect(rotated.stdout.trim()).not.toBe(key.stdout.trim());
  });

  test("a preset build with only a start command builds and runs", async () => {
    const result = await server.run(["build", PROJECT, "api"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("generated Dockerfile (preset python)");
    expect(result.stdout).toContain('CMD ["sh","-c","exec python3 app.py"]');
    const build = (await buildsJson())[0]!;
    expect(await fetchFromImage(build.image, 8000)).toBe("hello from python");
  });
});

describe("a failed build says why in one line and never looks green", () => {
  const failure = async (args: string[], reason: string | RegExp) => {
    const result = await server.run(["build", PROJECT, ...args]);
    expect(result.code).toBe(1);
    const last = result.stderr.trim().split("\n");
    expect(last).toHaveLength(1);
    expect(last[0]).toMatch(reason);
    expect((await buildsJson())[0]!.status).toBe("failed");
  };

  test("missing Dockerfile", () => failure(["no-dockerfile"], /failed: Dockerfile "Dockerfile" not found/));
  test("a failing command names the step and its exit code", () => failure(["failing"], /failed: .*exit code 3/));
  test("an unreachable repository", () => failure(["unreachable"], /failed: cannot reach http:\/\/127\.0\.0\.1:9\/nothing\.git/));
  test("a ref that does not exist", () => failure(["web", "--ref", "no-such-branch"], /failed: ref "no-such-branch" not found/));

  test("a build allocating 2 GB is stopped by its memory cap, and the host stays responsive", async () => {
    await failure(["hungry"], /failed: .*out of memory/);
    const started = performance.now();
    expect((await fetch(`${server.url}/healthz`)).ok).toBe(true);
    expect(docker(["info", "--format", "{{.ContainersRunning}}"]).code).toBe(0);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  test("cancel stops a running build and leaves no build container", async () => {
    const id = (await server.run(["build", PROJECT, "slow", "--detach"])).stdout.trim();
    // Cancel only once the build is running its slow step: cancelling a queued build proves less.
    await eventually(async () => (await server.run(["logs", "--build", id])).stdout.includes(SLOW_STEP), 30_000, "the slow step started");
    expect((await buildsJson()).find((b) => b.id === Number(id))!.status).toBe("running");
    expect(buildContainers()).not.toEqual([]);
    const cancelled = await server.run(["build", "cancel", id]);
    expect(cancelled.code).toBe(0);
    const followed = await server.run(["logs", "--build", id, "-f"]);
    expect(followed.stdout).toContain(`build #${id} cancelled`);
    expect((await buildsJson()).find((b) => b.id === Number(id))!.status).toBe("cancelled");
    // Stopped containers count too: a cancelled build must not leave one behind.
    await eventually(() => buildContainers().length === 0, 20_000, "no build container left");
  }, 60_000);
});

/** Containers (running or stopped) that a build of the slow step started. */
const buildContainers = () => lines(docker(["ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Command}}"])).filter((line) => line.includes(PROJECT));

describe("hostile input is refused or treated as data", () => {
  test("refs with shell metacharacters are refused before anything runs", async () => {
    for (const ref of ["; rm -rf /", "$(id)", `--upload-pack=touch ${PWNED}`]) {
      const result = await server.run(["build", PROJECT, "web", `--ref=${ref}`]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("ref: must be a valid git branch, tag or commit name");
    }
    expect(existsSync(PWNED)).toBe(false);
  });

  test("URLs that are options or remote helpers are refused at apply", async () => {
    for (const url of [`--upload-pack=touch ${PWNED}`, `ext::sh -c touch% ${PWNED}`, "https://x/y.git; rm -rf /"]) {
      const file = join(server.home, "hostile.yaml");
      writeFileSync(file, `project: evil\nblocks:\n  a:\n    kind: worker\n    git: { url: ${JSON.stringify(url)} }\n`);
      const result = await server.run(["apply", "-f", file]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("blocks.a.git.url");
    }
    expect(existsSync(PWNED)).toBe(false);
  });

  test("paths that leave the repository are refused", async () => {
    const file = join(server.home, "escape.yaml");
    writeFileSync(file, `project: evil\nblocks:\n  a:\n    kind: worker\n    git: { url: "${site.httpUrl}", path: "../../etc" }\n`);
    const result = await server.run(["apply", "-f", file]);
    expect(result.stderr).toContain("blocks.a.git.path: must stay inside the repository");
  });

  test("names with shell metacharacters are refused", async () => {
    for (const args of [["build", "x;id", "web"], ["build", PROJECT, "$(id)"], ["block", "key", PROJECT, "`id`"]]) {
      const result = await server.run(args);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("must be a DNS label");
    }
    // The payloads run `touch`, which makes an empty file: only its absence shows nothing ran.
    expect(existsSync(PWNED)).toBe(false);
  });
});

test("cleanup keeps the last images of a block and never touches an image Berth did not make", async () => {
  const tagged = docker(["tag", env.images.busybox, "unrelated/survivor:1"]);
  expect(tagged.code).toBe(0);
  for (const n of [3, 4, 5]) {
    site.commit({ "app/index.html": `version ${n}\n` }, `v${n}`);
    expect((await server.run(["build", PROJECT, "web"])).code).toBe(0);
  }
  const webImages = docker(["images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", `label=berth.project=${PROJECT}`, "--filter", "label=berth.block=web"]).out.split("\n").filter(Boolean);
  expect(webImages).toHaveLength(2);
  expect(docker(["image", "inspect", "unrelated/survivor:1"]).code).toBe(0);
  docker(["rmi", "unrelated/survivor:1"]);
});

/** The block's deploy key, opened with the server's own key file: only to prove it leaks nowhere. */
function readPrivateKey(dataDir: string): string {
  const db = new Database(join(dataDir, "berth.db"), { readonly: true });
  const row = db.query("SELECT ssh_private_key AS key FROM block_credentials WHERE ssh_private_key IS NOT NULL").get() as { key: string };
  db.close();
  return createSecretBox(readFileSync(join(dataDir, "secret.key"))).open(row.key);
}

/** Samples every process's argv (what `ps` shows) until stopped. */
function watchProcesses(onCmdline: (cmdline: string) => void) {
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        try {
          onCmdline(readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " "));
        } catch {}
      }
      await Bun.sleep(20);
    }
  })();
  return { stop: () => ((running = false), loop) };
}
