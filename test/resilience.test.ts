// test-lane: sequential (kills the edge and serve and asserts sites answer again within a bound)
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServe } from "./support/binary.ts";
import { loadTestEnv } from "./support/test-env.ts";
import { docker } from "./support/sh.ts";

const env = loadTestEnv();
const TAG = crypto.randomUUID().slice(0, 6);
/** One project per test, so each starts from nothing and cleans up by its label. */
const PROJECTS = { edge: `rsedge${TAG}`, crash: `rscrash${TAG}`, loop: `rsloop${TAG}`, midway: `rsmid${TAG}` };

const containersOf = (project: string) =>
  docker(["ps", "-aq", "--no-trunc", "--filter", `label=berth.project=${project}`]).out.split("\n").filter(Boolean);

const site = (name: string, command: string, extra = "") => `
  ${name}:
    kind: website
    image: ${env.images.busybox}
    command: [sh, -c, ${JSON.stringify(command)}]
    port: 8080${extra}`;
const SERVES_UP = "mkdir -p /www && echo up > /www/index.html && exec httpd -f -p 8080 -h /www";

let server: Awaited<ReturnType<typeof startServe>>;

async function apply(project: string, blocks: string) {
  const file = join(server.home, `${project}.yaml`);
  writeFileSync(file, `project: ${project}\nblocks:${blocks}\nenvironments:\n  dev: {}\n`);
  const result = await server.run(["apply", "-f", file]);
  if (result.code !== 0) throw new Error(`apply ${project}: ${result.stderr}`);
}

async function deployOk(project: string) {
  const result = await server.run(["deploy", project, "dev", "--wait"]);
  if (result.code !== 0) throw new Error(`deploy ${project}: ${result.stderr}`);
}

/** A request to the edge for a block's host, as curl would send it; a refused connection is status 0. */
async function viaEdge(project: string, block = "web"): Promise<{ status: number; body: string }> {
  try {
    const res = await fetch(server.edgeUrl, { headers: { Host: `${block}.dev.${project}.localhost` }, signal: AbortSignal.timeout(1000) });
    return { status: res.status, body: await res.text() };
  } catch {
    return { status: 0, body: "" };
  }
}

/** Polls the site until it answers 200 or the deadline passes; returns the last answer and when it came. */
async function answersBy(project: string, deadline: number) {
  let last = { status: -1, body: "" };
  while (Date.now() < deadline) {
    last = await viaEdge(project);
    if (last.status === 200) return { ...last, at: Date.now() };
    await Bun.sleep(20);
  }
  return { ...last, at: Date.now() };
}

const edgePid = () => Number(readFileSync(join(server.dataDir, "edge.pid"), "utf8").trim());
const publishedPort = (id: string) => docker(["port", id, "8080/tcp"]).out;

beforeAll(async () => {
  // A short crash watch keeps deploys quick; the crash-loop test's worker dies within it.
  server = await startServe([], { rolloutWatch: "3s" });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  // A restart serve had begun still finishes and records its pid: read the file once it has.
  await Bun.sleep(1_000);
  try {
    process.kill(edgePid(), "SIGTERM");
  } catch {} // already gone
  for (const project of Object.values(PROJECTS)) {
    const ids = containersOf(project);
    if (ids.length) docker(["rm", "-f", ...ids]);
    docker(["network", "rm", `berth-${project}-dev`]);
  }
});

// The edge test comes last: a serve that failed to bring its edge back would fail every test after it.
describe("the data plane stays up and follows what runs", () => {
  test("a replica that crashes or is restarted gets a new port; the route follows within 2 s", async () => {
    await apply(PROJECTS.crash, site("web", SERVES_UP));
    await deployOk(PROJECTS.crash);
    const [id] = containersOf(PROJECTS.crash);
    const before = publishedPort(id!);

    // A crash: the container's first process dies; the engine restarts it under its restart policy.
    process.kill(Number(docker(["inspect", "--format", "{{.State.Pid}}", id!]).out), "SIGKILL");
    // The clock starts once the engine has it running again on its new port: how long the engine
    // takes to restart a container is not Berth's to promise, following it is.
    let crashPort = "";
    for (const until = Date.now() + 30_000; Date.now() < until; await Bun.sleep(50)) {
      crashPort = publishedPort(id!);
      if (crashPort && crashPort !== before) break;
    }
    expect(crashPort).not.toBe("");
    expect(crashPort).not.toBe(before);
    const afterCrash = await answersBy(PROJECTS.crash, Date.now() + 2_000);
    expect(afterCrash).toMatchObject({ status: 200, body: "up\n" });

    expect(docker(["restart", "--time", "1", id!]).code).toBe(0);
    const restarted = Date.now();
    const afterRestart = await answersBy(PROJECTS.crash, restarted + 2_000);
    expect(afterRestart).toMatchObject({ status: 200, body: "up\n" });
    expect(publishedPort(id!)).not.toBe(crashPort);
  }, 60_000);

  test("a worker that keeps dying after its health check fails the release and shows as crashloop with its last log line", async () => {
    const worker = `
  jobs:
    kind: worker
    image: ${env.images.busybox}
    command: [sh, -c, "echo starting; sleep 3; echo fatal: cannot reach queue at queue:5672; exit 1"]`;
    await apply(PROJECTS.loop, worker);
    const deploy = await server.run(["deploy", PROJECTS.loop, "dev", "--wait"]);
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toContain("jobs crashed after its health check passed");
    expect(deploy.stderr).toContain("fatal: cannot reach queue at queue:5672");

    type Status = { blocks: { name: string; state: string; ready: number; wanted: number; lastLog: string[] }[] };
    let jobs: Status["blocks"][number] | undefined;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      jobs = (JSON.parse((await server.run(["status", PROJECTS.loop, "dev", "--json"])).stdout) as Status).blocks.find((b) => b.name === "jobs");
      if (jobs?.state === "crashloop") break;
      await Bun.sleep(500);
    }
    expect(jobs).toMatchObject({ state: "crashloop", ready: 0, wanted: 1 });
    expect(jobs!.lastLog).toContain("fatal: cannot reach queue at queue:5672");
    const table = await server.run(["status", PROJECTS.loop, "dev"]);
    expect(table.stdout).toMatch(/jobs\s+worker\s+crashloop\s+0\/1/);
    expect(table.stdout).toContain("  fatal: cannot reach queue at queue:5672");
  }, 90_000);

  test("serve killed with -9 mid-rollout: once restarted, the edge routes to what runs before the first request", async () => {
    // Serves its page at once, but reports healthy only after 30 s: the rollout is still checking it when serve dies.
    const slow = "mkdir -p /www && echo up > /www/index.html && { (sleep 30; echo ok > /www/ready) & } && exec httpd -f -p 8080 -h /www";
    await apply(PROJECTS.midway, site("web", slow, "\n    health: /ready"));
    expect((await server.run(["deploy", PROJECTS.midway, "dev", "--detach"])).code).toBe(0);
    // Serve dies once the new replica runs and answers on its port, while the rollout still waits for /ready.
    let direct = "";
    for (const until = Date.now() + 30_000; Date.now() < until && direct !== "up\n"; await Bun.sleep(100)) {
      const [id] = containersOf(PROJECTS.midway);
      const port = id ? publishedPort(id).split(":")[1] : undefined;
      direct = port ? await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text(), () => "") : "";
    }
    expect(direct).toBe("up\n");
    server.proc.kill("SIGKILL");
    await server.proc.exited;
    expect((await viaEdge(PROJECTS.midway)).status).toBe(404);

    await server.restart();
    expect(await viaEdge(PROJECTS.midway)).toEqual({ status: 200, body: "up\n" });
    const status = JSON.parse((await server.run(["status", PROJECTS.midway, "dev", "--json"])).stdout) as {
      release: { status: string; reason: string };
      blocks: { name: string; state: string }[];
    };
    expect(status.release).toMatchObject({ status: "failed", reason: expect.stringContaining("interrupted") });
    expect(status.blocks).toEqual([expect.objectContaining({ name: "web", state: "running" })]);
  }, 90_000);

  test("kill -9 of the edge: serve restarts it and the site answers again within 2 s", async () => {
    await apply(PROJECTS.edge, site("web", SERVES_UP));
    await deployOk(PROJECTS.edge);
    expect(await viaEdge(PROJECTS.edge)).toEqual({ status: 200, body: "up\n" });
    const killed = edgePid();

    process.kill(killed, "SIGKILL");
    const at = Date.now();
    const answer = await answersBy(PROJECTS.edge, at + 2_000);
    expect(answer).toMatchObject({ status: 200, body: "up\n" });

    // The new edge answers a moment before serve has finished checking it and names it on /healthz;
    // an edge worker of the killed one may answer before serve has even seen the kill.
    let health = { edge: { pid: null as number | null, restarts: 0 } };
    for (let i = 0; i < 50 && (health.edge.pid === null || health.edge.pid === killed); i++) {
      if (i > 0) await Bun.sleep(100);
      health = (await (await fetch(`${server.url}/healthz`)).json()) as typeof health;
    }
    expect(health.edge.restarts).toBe(1);
    expect(health.edge.pid).not.toBeNull();
    expect(health.edge.pid).not.toBe(killed);
    expect(edgePid()).toBe(health.edge.pid!);
  }, 60_000);
});
