import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHmac } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServe } from "./support/binary.ts";
import { eventually } from "./support/eventually.ts";
import { docker } from "./support/sh.ts";
import { createRepo, git, loadTestEnv, type TestRepo } from "./support/test-env.ts";

setDefaultTimeout(180_000);

const env = loadTestEnv();
const PROJECT = `hooks${crypto.randomUUID().slice(0, 6)}`;
let server: Awaited<ReturnType<typeof startServe>>;
let repo: TestRepo;
let secret: string;

const site = (text: string) => ({
  "Dockerfile": `FROM ${env.images.busybox}\nCOPY index.html /www/index.html\nCMD ["httpd", "-f", "-p", "8080", "-h", "/www"]\n`,
  "index.html": `${text}\n`,
});

const projectFile = (url: string) => `project: ${PROJECT}
blocks:
  web:
    kind: website
    git: { url: "${url}" }
    port: 8080
environments:
  dev: { ref: main, autoDeploy: true }
  prod: { ref: main, autoDeploy: false }
  lab: { ref: lab, autoDeploy: poll }
`;

interface Release {
  number: number;
  status: string;
  source: string;
  actor: string | null;
  blocks: { name: string; commit: string | null }[];
}

/** The environment's releases, newest first, straight from the API (the CLI's `releases --json` gives the same). */
async function releases(environment: string): Promise<Release[]> {
  const token = readFileSync(join(server.dataDir, "admin.token"), "utf8").trim();
  const res = await fetch(`${server.url}/api/projects/${PROJECT}/environments/${environment}/releases`, { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`releases of ${environment}: HTTP ${res.status}`);
  return ((await res.json()) as { releases: Release[] }).releases;
}

/** Waits until release `number` of `environment` has finished; fails at once when it failed. */
async function deployed(environment: string, number: number, what: string): Promise<Release> {
  let found: Release | undefined;
  await eventually(async () => {
    found = (await releases(environment)).find((r) => r.number === number);
    if (found?.status === "deployed" || found?.status === "failed") return true;
    await Bun.sleep(500);
    return false;
  }, 150_000, what);
  expect({ what, status: found!.status }).toEqual({ what, status: "deployed" });
  return found!;
}

const hmac = (body: string, key = secret) => createHmac("sha256", key).update(body).digest("hex");
const pushBody = (branch: string, after: string) => JSON.stringify({ ref: `refs/heads/${branch}`, after, repository: { default_branch: "main" } });

function github(body: string, delivery = crypto.randomUUID(), signature = `sha256=${hmac(body)}`) {
  return fetch(`${server.url}/hooks/git/${PROJECT}`, {
    method: "POST",
    body,
    headers: { "Content-Type": "application/json", "X-GitHub-Event": "push", "X-GitHub-Delivery": delivery, "X-Hub-Signature-256": signature },
  });
}

function gitea(body: string, delivery: string) {
  return fetch(`${server.url}/hooks/git/${PROJECT}`, {
    method: "POST",
    body,
    headers: { "Content-Type": "application/json", "X-Gitea-Event": "push", "X-Gitea-Delivery": delivery, "X-Gitea-Signature": hmac(body) },
  });
}

beforeAll(async () => {
  repo = createRepo("hooks", site("v1"));
  git(["push", "--quiet", "origin", "HEAD:refs/heads/lab"], { cwd: repo.dir });
  server = await startServe(["--no-edge"], { autoDeployPoll: "2s" });
  const file = join(server.home, "berth.yaml");
  writeFileSync(file, projectFile(repo.httpUrl));
  const applied = await server.run(["apply", "-f", file]);
  if (applied.code !== 0) throw new Error(`apply failed: ${applied.stderr}`);
}, 60_000);

afterAll(async () => {
  await server?.close();
  const ids = docker(["ps", "-aq", "--filter", `label=berth.project=${PROJECT}`]).out.split("\n").filter(Boolean);
  if (ids.length) docker(["rm", "-f", ...ids]);
  for (const environment of ["dev", "prod", "lab"]) docker(["network", "rm", `berth-${PROJECT}-${environment}`]);
  const images = docker(["images", "-q", "--filter", `label=berth.project=${PROJECT}`]).out.split("\n").filter(Boolean);
  if (images.length) docker(["rmi", "-f", ...new Set(images)]);
  repo?.remove();
});

describe("deploy on push", () => {
  test("webhook show prints the URL and a secret that stays the same until rotated", async () => {
    const shown = await server.run(["webhook", "show", PROJECT, "--json"]);
    expect(shown.code).toBe(0);
    const hook = JSON.parse(shown.stdout) as { url: string; secret: string };
    expect(hook.url).toBe(`${server.url}/hooks/git/${PROJECT}`);
    expect(hook.secret).toMatch(/^[0-9a-f]{64}$/);
    const again = await server.run(["webhook", "show", PROJECT]);
    expect(again.stdout).toContain(`secret: ${hook.secret}`);
    secret = hook.secret;
  });

  test("a wrong signature is refused with 401 and starts nothing", async () => {
    const body = pushBody("main", repo.commit({}, "unsigned change"));
    const wrong = await github(body, undefined, `sha256=${hmac(body, "not-the-secret")}`);
    expect(wrong.status).toBe(401);
    const missing = await fetch(`${server.url}/hooks/git/${PROJECT}`, { method: "POST", body, headers: { "X-GitHub-Event": "push" } });
    expect(missing.status).toBe(401);
    await Bun.sleep(1000);
    expect(await releases("dev")).toEqual([]);
  });

  test("a signed GitHub push to main deploys dev only, the pushed commit", async () => {
    const sha = repo.commit(site("v2"), "v2");
    const res = await github(pushBody("main", sha));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ provider: "github", deploys: [{ environment: "dev", release: 1, queued: false }] });
    const release = await deployed("dev", 1, "dev's release 1 deployed");
    expect(release.blocks.map((b) => [b.name, b.commit])).toEqual([["web", sha]]);
    expect([release.source, release.actor]).toEqual([`push ${sha.slice(0, 7)}`, "webhook"]);
    expect(await releases("prod")).toEqual([]);
  });

  test("a signed Gitea push deploys dev; its redelivery starts no second release", async () => {
    const sha = repo.commit(site("v3"), "v3");
    const delivery = crypto.randomUUID();
    const res = await gitea(pushBody("main", sha), delivery);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ provider: "gitea", delivery, deploys: [{ environment: "dev", release: 2 }] });
    const release = await deployed("dev", 2, "dev's release 2 deployed");
    expect(release.blocks[0]!.commit).toBe(sha);
    const again = await gitea(pushBody("main", sha), delivery);
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ deploys: [], ignored: `ignored: delivery ${delivery} was already handled` });
    await Bun.sleep(1000);
    expect((await releases("dev")).map((r) => r.number)).toEqual([2, 1]);
    expect(await releases("prod")).toEqual([]);
  });

  test("a push to another branch, a tag and a ping are ignored, saying why", async () => {
    const feature = await github(pushBody("feature", "f".repeat(40)));
    expect(feature.status).toBe(202);
    expect(((await feature.json()) as { ignored: string }).ignored).toContain("branch feature is the ref of no environment with autoDeploy: true");
    const tag = await github(JSON.stringify({ ref: "refs/tags/v1", after: "e".repeat(40) }));
    expect(((await tag.json()) as { ignored: string }).ignored).toContain("tag v1");
    const body = JSON.stringify({ zen: "Design for failure." });
    const ping = await fetch(`${server.url}/hooks/git/${PROJECT}`, { method: "POST", body, headers: { "X-GitHub-Event": "ping", "X-Hub-Signature-256": `sha256=${hmac(body)}` } });
    expect(ping.status).toBe(202);
    expect(((await ping.json()) as { ignored: string }).ignored).toBe('ignored: "ping" is not a push event');
    expect((await releases("dev")).map((r) => r.number)).toEqual([2, 1]);
  });

  test("pushes during a deploy queue one follow-up deploy that builds the newest commit", async () => {
    const first = repo.commit(site("v4"), "v4");
    expect(await (await github(pushBody("main", first))).json()).toMatchObject({ deploys: [{ environment: "dev", release: 3, queued: false }] });
    const second = repo.commit(site("v5"), "v5");
    expect(await (await github(pushBody("main", second))).json()).toMatchObject({ deploys: [{ environment: "dev", queued: true }] });
    const newest = repo.commit(site("v6"), "v6");
    expect(await (await github(pushBody("main", newest))).json()).toMatchObject({ deploys: [{ environment: "dev", queued: true }] });
    await deployed("dev", 3, "dev's release 3 deployed");
    const followUp = await deployed("dev", 4, "the queued follow-up (release 4) deployed");
    expect(followUp.blocks[0]!.commit).toBe(newest);
    await Bun.sleep(3000);
    expect((await releases("dev")).map((r) => r.number)).toEqual([4, 3, 2, 1]);
  });

  test("autoDeploy: poll deploys a commit pushed to the ref, without any webhook", async () => {
    const initial = await deployed("lab", 1, "lab's first release (never deployed before) from polling");
    const sha = repo.commit(site("lab v2"), "lab v2");
    git(["push", "--quiet", "origin", "HEAD:refs/heads/lab"], { cwd: repo.dir });
    const release = await deployed("lab", 2, "lab's release 2 from polling the new commit");
    expect(initial.blocks[0]!.commit).not.toBe(sha);
    expect(release.blocks[0]!.commit).toBe(sha);
    await Bun.sleep(5000);
    expect((await releases("lab")).map((r) => r.number)).toEqual([2, 1]);
  });

  test("after rotate, pushes signed with the old secret are refused", async () => {
    const rotated = await server.run(["webhook", "rotate", PROJECT, "--json"]);
    expect(rotated.code).toBe(0);
    const old = await github(pushBody("main", "1".repeat(40)));
    expect(old.status).toBe(401);
    secret = (JSON.parse(rotated.stdout) as { secret: string }).secret;
    const fresh = await github(pushBody("feature", "1".repeat(40)));
    expect(fresh.status).toBe(202);
  });
});
