import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServe } from "./support/binary.ts";
import { createRepo, git, type TestRepo } from "./support/test-env.ts";
import { docker } from "./support/sh.ts";

const PROJECT = `harden${crypto.randomUUID().slice(0, 6)}`;
const LOG_LIMIT = 1024 ** 2;


/** Commits a gitlink at `path` pinned to `commit` of `url`, with its .gitmodules entry. */
function addSubmodule(repo: TestRepo, path: string, url: string, commit: string) {
  writeFileSync(join(repo.dir, ".gitmodules"), `[submodule "${path}"]\n\tpath = ${path}\n\turl = ${url}\n`);
  git(["add", ".gitmodules"], { cwd: repo.dir });
  git(["update-index", "--add", "--cacheinfo", `160000,${commit},${path}`], { cwd: repo.dir });
  git(["commit", "--quiet", "-m", `submodule ${path}`], { cwd: repo.dir });
  git(["push", "--quiet", "origin", "HEAD:refs/heads/main"], { cwd: repo.dir });
}

let server: Awaited<ReturnType<typeof startServe>>;
const repos: TestRepo[] = [];

beforeAll(async () => {
  const lib = createRepo("hard-lib", { "greeting.txt": "hello from the submodule\n" });
  const app = createRepo("hard-app", {
    "Dockerfile": 'FROM berth-base/busybox:latest\nCOPY . /srv\nCMD ["cat", "/srv/vendor/lib/greeting.txt"]\n',
  });
  addSubmodule(app, "vendor/lib", lib.httpUrl, git(["rev-parse", "HEAD"], { cwd: lib.dir }));
  // ~100 MB of output as fast as the engine passes it on.
  const flood = createRepo("hard-flood", {
    "Dockerfile": 'FROM berth-base/busybox:latest\nRUN yes "a build step that will not stop talking 0123456789" | head -c 104857600\n',
  });
  repos.push(lib, app, flood);
  server = await startServe(["--no-edge"], { buildLogLimit: "1Mi", buildTimeout: "300s" });
  const file = join(server.home, "berth.yaml");
  writeFileSync(
    file,
    `project: ${PROJECT}\nblocks:\n  app:\n    kind: worker\n    git: { url: "${app.httpUrl}" }\n  flood:\n    kind: worker\n    git: { url: "${flood.httpUrl}" }\n`,
  );
  expect((await server.run(["apply", "-f", file])).stderr).toBe("");
}, 60_000);

afterAll(async () => {
  await server?.stop();
  const images = docker(["images", "-q", "--filter", `label=berth.project=${PROJECT}`]).out.split("\n").filter(Boolean);
  if (images.length) docker(["rmi", "-f", ...new Set(images)]);
  for (const repo of repos) repo.remove();
});

const buildsJson = async () => JSON.parse((await server.run(["builds", PROJECT, "--json"])).stdout) as { id: number; block: string; status: string; image: string }[];

describe("builds that cannot flood or leave parts out", () => {
  test("a repository with a submodule builds with the submodule's content in the image", async () => {
    const run = await server.run(["build", PROJECT, "app"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const build = (await buildsJson()).find((b) => b.block === "app")!;
    const shown = docker(["run", "--rm", "--label", "berth.test=1", build.image]);
    expect(shown.err).toBe("");
    expect(shown.out).toBe("hello from the submodule");
  }, 120_000);

  test("a build printing ~100 MB keeps 1 MiB of log (buildLogLimit) with a notice, and goes on to succeed", async () => {
    const run = await server.run(["build", PROJECT, "flood", "--detach"]);
    expect(run.code).toBe(0);
    const id = Number(run.stdout.trim());
    let status = "queued";
    for (let i = 0; i < 600 && !["succeeded", "failed", "cancelled"].includes(status); i++) {
      await Bun.sleep(500);
      status = (await buildsJson()).find((b) => b.id === id)!.status;
    }
    expect(status).toBe("succeeded");
    const path = join(server.dataDir, "logs", "builds", `${id}.log`);
    const size = statSync(path).size;
    expect(size).toBeGreaterThan(LOG_LIMIT / 2);
    expect(size).toBeLessThanOrEqual(LOG_LIMIT + 4096);
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(lines.filter((l) => l.startsWith("... log truncated at 1Mi (setting buildLogLimit): the build goes on"))).toHaveLength(1);
    expect(lines.at(-1)).toStartWith(`build #${id} succeeded: `);
    const shown = await server.run(["logs", "--build", String(id)]);
    expect(shown.stdout).toContain("... log truncated at 1Mi");
  }, 320_000);
});
