import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServe } from "./support/binary.ts";
import { eventually } from "./support/eventually.ts";
import { loadTestEnv } from "./support/test-env.ts";
import { docker } from "./support/sh.ts";

setDefaultTimeout(180_000);

const env = loadTestEnv();
const PROJECT = `jobs${crypto.randomUUID().slice(0, 6)}`;
let server: Awaited<ReturnType<typeof startServe>>;

/** A notification receiver on loopback: every message it was sent. */
const messages: Record<string, unknown>[] = [];
const receiver = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    messages.push((await req.json()) as Record<string, unknown>);
    return new Response("ok");
  },
});

// A key-value service (in memory) and a website that shows the value stored under "marker".
const STORE = `
import http.server
data = {}
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        data[self.path] = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204); self.end_headers()
    def do_GET(self):
        body = data.get(self.path, b"none")
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
http.server.ThreadingHTTPServer(("", 9000), H).serve_forever()
`;
const WEB = `
import http.server, urllib.request
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"marker=" + urllib.request.urlopen("http://store:9000/marker", timeout=5).read()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
http.server.ThreadingHTTPServer(("", 8080), H).serve_forever()
`;

const indent = (text: string) => JSON.stringify(text);

/** The project with the given extra job blocks (YAML, indented under `blocks:`) and web's VERSION. */
const projectFile = (jobs: string, version = "1") => `project: ${PROJECT}
blocks:
  store:
    kind: service
    image: ${env.images.python}
    command: [python3, -c, ${indent(STORE)}]
    port: 9000
  web:
    kind: website
    image: ${env.images.python}
    command: [python3, -c, ${indent(WEB)}]
    port: 8080
    env: { VERSION: "${version}" }
  task:
    kind: job
    image: ${env.images.busybox}
    command: [sh, -c, 'echo "hello $WHO"; exit "\${CODE:-0}"']
    env: { WHO: world }
  slow:
    kind: job
    image: ${env.images.busybox}
    command: [sh, -c, "echo started; sleep 60"]
    timeout: 5s
  sleeper:
    kind: job
    image: ${env.images.busybox}
    command: [sh, -c, "echo started; sleep 120"]
${jobs}environments:
  dev: {}
`;

const MIGRATE = `  migrate:
    kind: job
    trigger: pre-deploy
    image: ${env.images.busybox}
    command: [sh, -c, 'wget -q -O- --post-data "$MARKER" http://store:9000/marker && echo "marker written"']
`;
const CHECK = `  check:
    kind: job
    trigger: pre-deploy
    image: ${env.images.busybox}
    command: [sh, -c, 'echo checking schema; echo "schema 7 is newer than this code" >&2; exit 3']
`;
const NOTIFY = `  notify:
    kind: job
    trigger: post-deploy
    image: ${env.images.busybox}
    command: [sh, -c, 'echo "chat is down"; exit 1']
`;

const apply = async (text: string) => {
  const file = join(server.home, "berth.yaml");
  writeFileSync(file, text);
  const applied = await server.run(["apply", "-f", file]);
  expect(applied.stderr).toBe("");
  expect(applied.code).toBe(0);
};
const site = async () => {
  const response = await fetch(`${server.edgeUrl}/`, { headers: { Host: `web.dev.${PROJECT}.localhost` } });
  return `${response.status} ${await response.text()}`;
};
const webContainers = () =>
  docker(["ps", "-q", "--no-trunc", "--filter", `label=berth.project=${PROJECT}`, "--filter", "label=berth.block=web"]).out.split("\n").filter(Boolean).sort();
const jobContainers = () => docker(["ps", "-aq", "--filter", `label=berth.project=${PROJECT}`, "--filter", "label=berth.job-run"]).out.split("\n").filter(Boolean);
const runs = async (job?: string) => {
  const listed = await server.run(["job", "runs", PROJECT, "dev", ...(job ? [job] : []), "--json"]);
  expect(listed.code).toBe(0);
  return JSON.parse(listed.stdout) as { id: number; job: string; trigger: string; status: string; exitCode: number | null; reason: string | null; release: number }[];
};

beforeAll(async () => {
  server = await startServe([]);
  await apply(projectFile(""));
  const first = await server.run(["deploy", PROJECT, "dev"]);
  expect(first.code).toBe(0);
}, 240_000);

afterAll(async () => {
  receiver.stop(true);
  await server?.close();
  const ids = docker(["ps", "-aq", "--filter", `label=berth.project=${PROJECT}`]).out.split("\n").filter(Boolean);
  if (ids.length) docker(["rm", "-f", ...ids]);
  docker(["network", "rm", `berth-${PROJECT}-dev`]);
});

describe("jobs on the compiled binary and the real engine", () => {
  test("jobs are part of the release but never run as long-running containers", async () => {
    expect(await site()).toBe("200 marker=none");
    expect(jobContainers()).toEqual([]);
    const status = await server.run(["status", PROJECT, "dev", "--json"]);
    const parsed = JSON.parse(status.stdout) as { blocks: { name: string }[]; jobs: { name: string; trigger: string; nextRun: string | null }[] };
    expect(parsed.blocks.map((b) => b.name).sort()).toEqual(["store", "web"]);
    expect(parsed.jobs.map((j) => [j.name, j.trigger])).toEqual([["sleeper", "manual"], ["slow", "manual"], ["task", "manual"]]);
  });

  test("a pre-deploy job reaches the environment's service by name with its variables, before the release starts", async () => {
    await apply(projectFile(MIGRATE));
    expect((await server.run(["vars", "set", PROJECT, "dev", "migrate", "MARKER=written-by-migrate"])).code).toBe(0);
    const deploy = await server.run(["deploy", PROJECT, "dev"]);
    expect(deploy.code).toBe(0);
    expect(deploy.stdout).toContain("migrate | marker written");
    expect(deploy.stdout.indexOf("pre-deploy job migrate: succeeded")).toBeLessThan(deploy.stdout.indexOf("rolling out"));
    expect(await site()).toBe("200 marker=written-by-migrate");
    const [run] = await runs("migrate");
    expect(run).toMatchObject({ job: "migrate", trigger: "pre-deploy", status: "succeeded", exitCode: 0, release: 2 });
    expect(jobContainers()).toEqual([]);
  });

  test("a failing pre-deploy job fails the deploy with its exit code and last output; the old version keeps serving", async () => {
    const before = webContainers();
    await apply(projectFile(MIGRATE + CHECK, "2"));
    const deploy = await server.run(["deploy", PROJECT, "dev"]);
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toMatch(/error: release 3 failed: pre-deploy job check failed \(exit 3\) \(run #\d+\); last output: .*schema 7 is newer than this code/);
    expect(deploy.stdout).not.toContain("rolling out");
    expect(webContainers()).toEqual(before);
    expect(await site()).toBe("200 marker=written-by-migrate");
    const releases = JSON.parse((await server.run(["releases", PROJECT, "dev", "--json"])).stdout) as { number: number; status: string; reason: string }[];
    expect(releases[0]).toMatchObject({ number: 3, status: "failed" });
    expect(releases[0]!.reason).toContain("pre-deploy job check failed (exit 3)");
  });

  test("a failing post-deploy job leaves the release deployed, with a warning", async () => {
    await apply(projectFile(MIGRATE + NOTIFY, "3"));
    const deploy = await server.run(["deploy", PROJECT, "dev"]);
    expect(deploy.code).toBe(0);
    expect(deploy.stderr).toContain("warning: post-deploy job notify failed (exit 1)");
    const releases = JSON.parse((await server.run(["releases", PROJECT, "dev", "--json"])).stdout) as { number: number; status: string; warnings: string[] }[];
    expect(releases[0]).toMatchObject({ number: 4, status: "deployed", warnings: ["post-deploy job notify failed (exit 1)"] });
    const table = await server.run(["releases", PROJECT, "dev"]);
    expect(table.stdout).toContain("warning: post-deploy job notify failed (exit 1)");
    expect(await site()).toBe("200 marker=written-by-migrate");
  });

  test("a manual run's exit code reaches the CLI; --env sets a variable for that run; its log is kept", async () => {
    const added = await server.run(["notify", "add", PROJECT, "-", "--events", "job"], `http://127.0.0.1:${receiver.port}/hook`);
    expect(added.code).toBe(0);
    const ok = await server.run(["job", "run", PROJECT, "dev", "task", "--follow", "--env", "WHO=berth"]);
    expect([ok.code, ok.stderr]).toEqual([0, ""]);
    expect(ok.stdout).toContain("hello berth\n");
    const failing = await server.run(["job", "run", PROJECT, "dev", "task", "--wait", "--env", "CODE=5"]);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/^error: job run #(\d+) of task failed with exit code 5\n$/);
    const id = /#(\d+)/.exec(failing.stderr)![1]!;
    const log = await server.run(["job", "log", id]);
    expect(log.stdout).toContain("hello world\n");
    const [latest] = await runs("task");
    expect(latest).toMatchObject({ id: Number(id), trigger: "manual", status: "failed", exitCode: 5, release: 4 });
    // Each finished run is a `job` notification.
    await eventually(() => messages.some((m) => m.run === Number(id)), 30_000, "the run's notification");
    expect(messages.find((m) => m.run === Number(id))).toMatchObject({ event: "job", project: PROJECT, environment: "dev", job: "task", source: "manual", status: "failed", ok: false, reason: "exit 5" });
    const listed = await server.run(["job", "runs", PROJECT, "dev", "task"]);
    expect(listed.stdout.split("\n")[0]).toMatch(/^RUN\s+JOB\s+TRIGGER\s+RELEASE\s+STATUS\s+EXIT\s+STARTED\s+FINISHED\s+DURATION\s+REASON$/);
  });

  test("a run past its timeout is timed-out and its container is gone", async () => {
    const ran = await server.run(["job", "run", PROJECT, "dev", "slow", "--wait"]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain("timed-out: ran longer than its timeout (5s)");
    const [run] = await runs("slow");
    expect(run).toMatchObject({ status: "timed-out" });
    expect(docker(["ps", "-aq", "--filter", `label=berth.job-run=${run!.id}`]).out).toBe("");
    expect((await server.run(["job", "log", String(run!.id)])).stdout).toContain("started\n");
  });

  test("a running job can be cancelled, and follow shows its output live", async () => {
    const started = await server.run(["job", "run", PROJECT, "dev", "sleeper"]);
    const id = /#(\d+)/.exec(started.stdout)![1]!;
    await eventually(async () => (await server.run(["job", "log", id])).stdout.includes("started"), 30_000, "the run's first output line");
    const cancelled = await server.run(["job", "cancel", id]);
    expect([cancelled.code, cancelled.stderr]).toEqual([0, ""]);
    const followed = await server.run(["job", "log", id, "-f"]);
    expect(followed.stdout).toContain(`run #${id} cancelled`);
    expect(docker(["ps", "-aq", "--filter", `label=berth.job-run=${id}`]).out).toBe("");
    const again = await server.run(["job", "cancel", id]);
    expect([again.code, again.stderr.trim()]).toEqual([1, `error: job run ${id} already cancelled`]);
  });

  test("unknown jobs and bad --env are refused in one line", async () => {
    const missing = await server.run(["job", "run", PROJECT, "dev", "store"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`error: job "store" not found in release 4 of ${PROJECT}/dev (its jobs: migrate, notify, sleeper, slow, task)\n`);
    const bad = await server.run(["job", "run", PROJECT, "dev", "task", "--env", "=x"]);
    expect(bad.code).toBe(2);
  });
});
