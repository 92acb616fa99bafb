import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServe } from "./support/binary.ts";
import { createRepo, loadTestEnv, type TestRepo } from "./support/test-env.ts";
import { docker } from "./support/sh.ts";

const env = loadTestEnv();
const suffix = crypto.randomUUID().slice(0, 6);
const PROJECT = `ctr${suffix}`;
const OTHER = `oth${suffix}`;
/** An image no Berth project owns; deleting a project must leave it alone. */
const UNRELATED = `berth-test-unrelated-${suffix}:keep`;

const lines = (text: string) => text.split("\n").filter(Boolean);
const containersOf = (project: string, block?: string) =>
  lines(docker(["ps", "-aq", "--no-trunc", "--filter", `label=berth.project=${project}`, ...(block ? ["--filter", `label=berth.block=${block}`] : [])]).out);
const imagesOf = (project: string) => lines(docker(["images", "-aq", "--no-trunc", "--filter", `label=berth.project=${project}`]).out);
const inspect = (id: string) => JSON.parse(docker(["inspect", id]).out)[0] as {
  Config: { User: string; StopTimeout?: number };
  HostConfig: { Memory: number; PidsLimit: number | null; SecurityOpt: string[] | null; CapDrop: string[] | null };
};

/** Logs a line on SIGTERM, takes DELAY seconds to shut down, then says so and exits 0. */
const STOPPING_APP = `import os, signal, sys, time
delay = float(sys.argv[1])
def on_term(signum, frame):
    print("SIGTERM received", flush=True)
    time.sleep(delay)
    print("clean exit", flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, on_term)
print("ready", flush=True)
while True:
    time.sleep(1)
`;

let server: Awaited<ReturnType<typeof startServe>>;
let apps: TestRepo;
let site: TestRepo;
let deployLog = "";

const projectFile = () => `project: ${PROJECT}
blocks:
  app:
    kind: worker
    git: { url: "${apps.httpUrl}" }
    build: { preset: python, version: "3", start: "test -f app.py && python3 app.py 1" }
    stopGracePeriod: 7s
  slow:
    kind: worker
    git: { url: "${apps.httpUrl}" }
    build: { preset: python, version: "3", start: "python3 app.py 20" }
    stopGracePeriod: 2s
  site:
    kind: website
    git: { url: "${site.httpUrl}" }
    build: { preset: static, command: "mkdir -p out && cp index.html out/", output: out }
  db:
    kind: service
    image: ${env.images.python}
    command: [sh, -c, "mkdir -p /data && chown nobody /data && exec setpriv --reuid=nobody --regid=nogroup --clear-groups python3 -m http.server 6379 -d /data"]
    port: 6379
  plain:
    kind: worker
    image: ${env.images.busybox}
    command: [sh, -c, "while true; do sleep 1; done"]
    resources: { memory: 64Mi, pids: 100 }
    security: { privileges: standard }
    user: "1000:1000"
environments:
  dev: {}
`;

const viaEdge = (host: string, path = "/") => fetch(`${server.edgeUrl}${path}`, { headers: { Host: host } });

async function applyFile(name: string, text: string) {
  const file = join(server.home, name);
  writeFileSync(file, text);
  return server.run(["apply", "-f", file]);
}

/** Each replica's log lines and exit code, followed from before the project is deleted until its container is gone. */
let deletion: Promise<{ result: Awaited<ReturnType<typeof server.run>>; logs: Record<string, string>; exits: Record<string, string> }> | undefined;
function deleteProject() {
  deletion ??= (async () => {
    const watched = ["app", "slow"].map((block) => ({ block, id: containersOf(PROJECT, block)[0]! }));
    const followers = watched.map(({ block, id }) => {
      const logs = Bun.spawn(["docker", "logs", "-f", id], { stdout: "pipe", stderr: "pipe" });
      const wait = Bun.spawn(["docker", "wait", id], { stdout: "pipe", stderr: "pipe" });
      return { block, logs: new Response(logs.stdout).text(), exit: new Response(wait.stdout).text() };
    });
    await Bun.sleep(300);
    const result = await server.run(["project", "delete", PROJECT, "--yes"]);
    const logs: Record<string, string> = {};
    const exits: Record<string, string> = {};
    for (const follower of followers) {
      logs[follower.block] = await follower.logs;
      exits[follower.block] = (await follower.exit).trim();
    }
    return { result, logs, exits };
  })();
  return deletion;
}

beforeAll(async () => {
  apps = createRepo("stopping", { "app.py": STOPPING_APP });
  site = createRepo("static", { "index.html": "static without a port\n" });
  expect(docker(["tag", env.images.busybox, UNRELATED]).code).toBe(0);
  server = await startServe([], { presetImages: { python: "berth-base/python:{version}", node: env.images.node, static: env.images.busybox } });
  const applied = await applyFile("berth.yaml", projectFile());
  expect(applied.stderr).toBe("");
  const deployed = await server.run(["deploy", PROJECT, "dev", "--wait"]);
  deployLog = deployed.stdout;
  expect(deployed.stdout).toContain("release 1 deployed");
  expect(deployed.code).toBe(0);
}, 400_000);

afterAll(async () => {
  await server?.stop();
  const edgePid = Number(readFileSync(join(server.dataDir, "edge.pid"), "utf8"));
  if (edgePid) process.kill(edgePid, "SIGTERM");
  // Containers first: one project's container may run the other's image.
  for (const project of [PROJECT, OTHER]) {
    const ids = containersOf(project);
    if (ids.length) docker(["rm", "-f", ...ids]);
    docker(["network", "rm", `berth-${project}-dev`]);
  }
  for (const project of [PROJECT, OTHER]) {
    const images = imagesOf(project);
    if (images.length) docker(["rmi", "-f", ...images]);
  }
  docker(["rmi", UNRELATED]);
  apps?.remove();
  site?.remove();
});

describe("containers on the real engine", () => {
  test("a static preset without a port is routed and answers through the edge", async () => {
    const status = JSON.parse((await server.run(["status", PROJECT, "dev", "--json"])).stdout) as { blocks: { name: string; state: string }[] };
    expect(status.blocks.find((b) => b.name === "site")?.state).toBe("running");
    const res = await viaEdge(`site.dev.${PROJECT}.localhost`, "/index.html");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("static without a port\n");
  });

  test("a multi-stage preset build leaves no dangling stage image behind", () => {
    const stepImages = [...deployLog.matchAll(/^site \|\s+--->\s+([0-9a-f]{12})$/gm)].map((m) => m[1]!);
    const final = docker(["inspect", "--format", "{{.Image}}", containersOf(PROJECT, "site")[0]!]).out;
    const kept = new Set(lines(docker(["history", "-q", "--no-trunc", final]).out).map((id) => id.replace("sha256:", "").slice(0, 12)));
    // The build stage (FROM, WORKDIR, COPY, RUN) and the final stage (FROM, COPY, ENV, EXPOSE, CMD) each printed their images.
    expect(stepImages.length).toBeGreaterThanOrEqual(8);
    const leftovers = stepImages.filter((id) => !kept.has(id) && docker(["image", "inspect", id]).code === 0 && docker(["image", "inspect", "--format", "{{len .RepoTags}}", id]).out === "0");
    expect(leftovers).toEqual([]);
  });

  test("default limits, PID limit, no-new-privileges and dropped capabilities are visible in docker inspect", () => {
    for (const block of ["app", "site", "db"]) {
      const info = inspect(containersOf(PROJECT, block)[0]!);
      expect(info.HostConfig.Memory).toBe(512 * 1024 * 1024);
      expect(info.HostConfig.PidsLimit).toBe(512);
      expect(info.HostConfig.SecurityOpt).toEqual(["no-new-privileges"]);
      expect(info.HostConfig.CapDrop).toEqual(expect.arrayContaining(["NET_RAW", "MKNOD", "AUDIT_WRITE", "SETFCAP", "SYS_CHROOT"]));
      expect(info.Config.User).toBe("");
    }
  });

  test("a service that chowns its data and drops to its own user, like postgres's entrypoint, still starts locked down", () => {
    const id = containersOf(PROJECT, "db")[0]!;
    expect(inspect(id).HostConfig.SecurityOpt).toEqual(["no-new-privileges"]);
    expect(docker(["inspect", "--format", "{{.State.Status}}", id]).out).toBe("running");
    expect(docker(["exec", id, "ls", "-ld", "/data"]).out).toContain("nobody");
  });

  test("the privileges opt-out, own limits and a non-root user are visible in docker inspect", () => {
    const id = containersOf(PROJECT, "plain")[0]!;
    const info = inspect(id);
    expect(info.HostConfig.SecurityOpt ?? []).toEqual([]);
    expect(info.HostConfig.CapDrop ?? []).toEqual([]);
    expect(info.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(info.HostConfig.PidsLimit).toBe(100);
    expect(info.Config.User).toBe("1000:1000");
    expect(docker(["exec", id, "id", "-u"]).out).toBe("1000");
  });

  test("the stop grace period is the container's stop timeout", () => {
    expect(inspect(containersOf(PROJECT, "app")[0]!).Config.StopTimeout).toBe(7);
    expect(inspect(containersOf(PROJECT, "slow")[0]!).Config.StopTimeout).toBe(2);
    expect(inspect(containersOf(PROJECT, "site")[0]!).Config.StopTimeout).toBe(10);
  });

  test("another project's Berth-built image is refused at apply, naming the image", async () => {
    const image = `berth/${PROJECT}/site:latest`;
    const result = await applyFile("other.yaml", `project: ${OTHER}\nblocks:\n  thief:\n    kind: worker\n    image: ${image}\n`);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`blocks.thief.image: ${image} is an image Berth built for project "${PROJECT}"`);
    expect((await server.run(["project", "show", OTHER])).code).not.toBe(0);
  });

  test("another project's image named by id is refused at deploy, naming the image", async () => {
    const imageId = docker(["inspect", "--format", "{{.Image}}", containersOf(PROJECT, "site")[0]!]).out;
    const applied = await applyFile("other.yaml", `project: ${OTHER}\nblocks:\n  thief:\n    kind: worker\n    image: "${imageId}"\n`);
    expect(applied.code).toBe(0);
    const deployed = await server.run(["deploy", OTHER, "dev", "--wait"]);
    expect(deployed.code).not.toBe(0);
    expect(`${deployed.stdout}${deployed.stderr}`).toContain(`image ${imageId} was built by Berth for project "${PROJECT}"`);
    expect(containersOf(OTHER)).toEqual([]);
  });

  test("an app started by Debian's sh receives SIGTERM on stop and gets its grace period", async () => {
    const { logs, exits } = await deleteProject();
    expect(lines(logs.app!)).toEqual(["ready", "SIGTERM received", "clean exit"]);
    expect(exits.app).toBe("0");
    // Its grace (2 s) ends long before its shutdown (20 s) would: stopped by SIGKILL.
    expect(lines(logs.slow!)).toEqual(["ready", "SIGTERM received"]);
    expect(exits.slow).toBe("137");
  }, 120_000);

  test("project delete leaves no image of the project and an unrelated image survives", async () => {
    const { result } = await deleteProject();
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(containersOf(PROJECT)).toEqual([]);
    expect(imagesOf(PROJECT)).toEqual([]);
    expect(lines(docker(["images", "--format", "{{.Repository}}", `berth/${PROJECT}/*`]).out)).toEqual([]);
    expect(docker(["image", "inspect", UNRELATED]).code).toBe(0);
  }, 120_000);
});
