import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseProjectFile } from "../src/core/project-file/parse.ts";
import { berth, startServe } from "./support/binary.ts";
import { createRepo, git, loadTestEnv, type TestRepo } from "./support/test-env.ts";
import { docker } from "./support/sh.ts";

// `berth init` on fixture repositories served by the test git server, then apply and deploy
// what it wrote on the real engine, and reach the site through the edge.

const env = loadTestEnv();
const suffix = crypto.randomUUID().slice(0, 6);
const FIXTURES = join(import.meta.dir, "fixtures/init");


/** A fixture folder as a repository on the test git server, its clone's origin the http URL. */
function fixtureRepo(name: string): TestRepo {
  const dir = join(FIXTURES, name);
  const files = Object.fromEntries(readdirSync(dir).filter((f) => f !== "expected.berth.yaml").map((f) => [f, readFileSync(join(dir, f), "utf8")]));
  const repo = createRepo(`init-${name}`, files);
  git(["remote", "set-url", "origin", repo.httpUrl], { cwd: repo.dir });
  return repo;
}

let server: Awaited<ReturnType<typeof startServe>>;
const repos: TestRepo[] = [];
const projects: string[] = [];
const viaEdge = (host: string) => fetch(`${server.edgeUrl}/`, { headers: { Host: host } });

beforeAll(async () => {
  server = await startServe([], { presetImages: { python: "berth-base/python:{version}", static: env.images.busybox } });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  const edgePid = Number(readFileSync(join(server.dataDir, "edge.pid"), "utf8"));
  if (edgePid) process.kill(edgePid, "SIGTERM");
  for (const project of projects) {
    const ids = docker(["ps", "-aq", "--filter", `label=berth.project=${project}`]).out.split("\n").filter(Boolean);
    if (ids.length) docker(["rm", "-f", ...ids]);
    docker(["network", "rm", `berth-${project}-dev`]);
    const images = docker(["images", "-q", "--filter", `reference=berth/${project}/*`]).out.split("\n").filter(Boolean);
    if (images.length) docker(["rmi", "-f", ...new Set(images)]);
  }
  for (const repo of repos) repo.remove();
});

describe("berth init writes a berth.yaml that applies and deploys as it is", () => {
  for (const [fixture, expected] of [
    ["python", "hello from a Python app\n"],
    ["dockerfile", "hello from a Dockerfile on port 5000\n"],
    ["static", "<!doctype html>\n<title>Static</title>\n<h1>A static site</h1>\n"],
    // web + worker + release: one build, a website, a worker and a pre-deploy job.
    ["procfile", "hello from a Procfile web process\n"],
  ] as const) {
    test(`${fixture}: init in a clone, apply, deploy --wait, and the site answers through the edge`, async () => {
      const repo = fixtureRepo(fixture);
      repos.push(repo);
      const project = `init${fixture.slice(0, 4)}${suffix}`;
      projects.push(project);

      const init = await server.run(["init", repo.dir, "--name", project]);
      expect(init.stderr).toBe("");
      expect(init.code).toBe(0);
      expect(init.stdout).toContain(`  git.url: ${repo.httpUrl} — the \`origin\` remote`);
      expect(init.stdout).toContain("  git.ref: main — the branch checked out now");
      const file = join(repo.dir, "berth.yaml");
      const written = parseProjectFile(readFileSync(file, "utf8"));
      expect(written.blocks.web!.git).toEqual({ url: repo.httpUrl, ref: "main" });

      const apply = await server.run(["apply", "-f", file]);
      expect(apply.code).toBe(0);
      const deploy = await server.run(["deploy", project, "dev", "--wait"]);
      expect(deploy.stderr).toBe("");
      expect(deploy.code).toBe(0);
      const res = await viaEdge(`web.dev.${project}.localhost`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(expected);
      if (fixture === "procfile") {
        const status = JSON.parse((await server.run(["status", project, "dev", "--json"])).stdout) as { blocks: { name: string; state: string }[] };
        expect(status.blocks.map((b) => [b.name, b.state])).toEqual([["web", "running"], ["worker", "running"]]);
      }
    }, 300_000);
  }
});

describe("build.process: a Procfile's process starts a preset's container", () => {
  test("a block naming `process: web` runs the Procfile's web command, read from its own commit", async () => {
    const repo = fixtureRepo("python");
    repos.push(repo);
    repo.commit({ Procfile: "web: python3 app.py\nworker: echo not this one\n" }, "Procfile");
    const project = `initproc${suffix}`;
    projects.push(project);
    const file = join(server.home, `${project}.yaml`);
    writeFileSync(file, `project: ${project}
blocks:
  web:
    kind: website
    git: { url: "${repo.httpUrl}" }
    build: { preset: python, version: "3", process: web }
    port: 8080
`);
    expect((await server.run(["apply", "-f", file])).code).toBe(0);
    const deploy = await server.run(["deploy", project, "dev", "--wait"]);
    expect(deploy.stderr).toBe("");
    expect(deploy.code).toBe(0);
    const res = await viaEdge(`web.dev.${project}.localhost`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("hello from a Python app\n");
  }, 300_000);
});

describe("berth init on the command line", () => {
  test("refuses to replace berth.yaml without --force and leaves it as it was; --force replaces it", async () => {
    const repo = fixtureRepo("static");
    repos.push(repo);
    const file = join(repo.dir, "berth.yaml");
    writeFileSync(file, "# mine\n");
    const refused = await berth(["init", repo.dir], server.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("berth.yaml already exists; --force replaces it");
    expect(readFileSync(file, "utf8")).toBe("# mine\n");
    const forced = await berth(["init", repo.dir, "--force"], server.env);
    expect(forced.code).toBe(0);
    expect(parseProjectFile(readFileSync(file, "utf8")).blocks.web!.build).toEqual({ preset: "static" });
  });

  test("--dry-run prints the file on stdout, the decisions on stderr, and writes nothing", async () => {
    const repo = fixtureRepo("procfile");
    repos.push(repo);
    const run = await berth(["init", repo.dir, "--dry-run", "--name", "shop"], server.env);
    expect(run.code).toBe(0);
    expect(existsSync(join(repo.dir, "berth.yaml"))).toBe(false);
    expect(Object.keys(parseProjectFile(run.stdout).blocks)).toEqual(["web", "worker", "release"]);
    expect(run.stderr).toContain("  blocks.release: job, trigger: pre-deploy — the `release` process runs before each release");
    expect(run.stderr).toContain("deploys skip them for now");
  });

  test("a folder outside any checkout gets a placeholder URL and is told so", async () => {
    const dir = join(server.home, "plain");
    Bun.spawnSync(["mkdir", "-p", dir]);
    writeFileSync(join(dir, "index.html"), "<h1>hi</h1>\n");
    const run = await berth(["init", dir], server.env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("! git.url: https://git.example.com/CHANGE-ME/REPOSITORY.git — the folder is not a git checkout");
    expect(readFileSync(join(dir, "berth.yaml"), "utf8")).toContain("#   git.url: the folder is not a git checkout");
  });

  test("a --name that cannot become a DNS label is a usage error and writes nothing", async () => {
    const dir = join(server.home, "named");
    Bun.spawnSync(["mkdir", "-p", dir]);
    const run = await berth(["init", dir, "--name", "!!!"], server.env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--name "!!!": a project name needs letters or digits');
    expect(existsSync(join(dir, "berth.yaml"))).toBe(false);
  });
});
