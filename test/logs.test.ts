import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freshBinary, startServe } from "./support/binary.ts";
import { eventually } from "./support/eventually.ts";
import { docker } from "./support/sh.ts";
import { loadTestEnv } from "./support/test-env.ts";

const env = loadTestEnv();
const TAG = crypto.randomUUID().slice(0, 6);
const APP = `logsapp${TAG}`;
const OTHER = `logsother${TAG}`;
let server: Awaited<ReturnType<typeof startServe>>;

// Prints one line when it starts (naming its container) and one per request (naming the path).
const PYTHON_APP = `import http.server, socket
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        print("request " + self.path, flush=True)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok\\n")
    def log_message(self, *args):
        pass
print("start " + socket.gethostname(), flush=True)
http.server.HTTPServer(("", 8080), H).serve_forever()`;

const webBlock = () => `  web:
    kind: website
    image: ${env.images.python}
    port: 8080
    command:
      - python3
      - -u
      - -c
      - |
${PYTHON_APP.split("\n").map((l) => `        ${l}`).join("\n")}`;

const projectFile = (project: string, extra = "") => `project: ${project}
blocks:
${webBlock()}${extra}
environments:
  dev: {}
`;

// Dies 3 s after each start, after the rollout's crash watch: the engine restarts it again and again.
const CRASHING = `
  jobs:
    kind: worker
    image: ${env.images.busybox}
    command: [sh, -c, "echo boot; sleep 3; echo last words of \${HOSTNAME} run $RANDOM$RANDOM; exit 1"]`;

const request = (project: string, path: string) => fetch(`${server.edgeUrl}${path}`, { headers: { Host: `web.dev.${project}.localhost` } }).then((r) => r.text());
const containersOf = (project: string, all = false) =>
  docker(["ps", ...(all ? ["-a"] : []), "-q", "--filter", `label=berth.project=${project}`]).out.split("\n").filter(Boolean);

interface Line {
  time: string;
  block: string;
  replica: number;
  release: number;
  container: string;
  stream: string;
  text: string;
}
const jsonLines = (stdout: string): Line[] => stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Line);
const logs = async (args: string[]) => {
  const result = await server.run(["logs", ...args, "--json"]);
  if (result.code !== 0) throw new Error(`berth logs ${args.join(" ")}: ${result.stderr}`);
  return jsonLines(result.stdout);
};

/** `berth logs … -f` running in the background; what it printed so far. */
function followInBackground(args: string[]) {
  const proc = Bun.spawn([freshBinary(), "logs", ...args, "-f", "--config", join(server.home, "config.yaml")], { env: server.env, stdout: "pipe", stderr: "pipe" });
  let text = "";
  void (async () => {
    const decoder = new TextDecoder();
    const reader = proc.stdout.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      text += decoder.decode(value);
    }
  })();
  return { output: () => text, stop: () => proc.kill() };
}

beforeAll(async () => {
  // No crash watch: the crashing worker must not fail its release (its restarts are the point).
  server = await startServe([], { edgeAccessLog: "on", rolloutWatch: "0s" });
  for (const [project, extra] of [
    [APP, CRASHING],
    [OTHER, ""],
  ] as const) {
    const file = join(server.home, `${project}.yaml`);
    writeFileSync(file, projectFile(project, extra));
    expect((await server.run(["apply", "-f", file])).code).toBe(0);
    const deployed = await server.run(["deploy", project, "dev"]);
    if (deployed.code !== 0) throw new Error(`deploy ${project}: ${deployed.stderr}`);
  }
}, 180_000);

afterAll(async () => {
  await server?.close();
  for (const project of [APP, OTHER]) {
    const ids = containersOf(project, true);
    if (ids.length) docker(["rm", "-f", ...ids]);
    docker(["network", "rm", `berth-${project}-dev`]);
  }
});

describe("berth logs on the compiled binary and the real engine", () => {
  test("-f shows a request's line within seconds, keeps following across a redeploy, and the old container's start line stays searchable", async () => {
    const follow = followInBackground([APP, "dev", "web"]);
    try {
      const first = `/first-${TAG}`;
      await eventually(async () => (await request(APP, first)) === "ok\n", 30_000, "the app answers through the edge");
      await eventually(() => follow.output().includes(`request ${first}`), 5_000, "the followed log shows the request line");

      const [oldId] = containersOf(APP).filter((id) => docker(["inspect", "--format", "{{index .Config.Labels \"berth.block\"}}", id]).out === "web");
      const oldStart = `start ${oldId!.slice(0, 12)}`;
      expect(follow.output()).toContain(oldStart);
      const restarted = await server.run(["restart", APP, "dev", "web"]);
      expect(restarted.code).toBe(0);
      expect(containersOf(APP, true)).not.toContain(oldId);

      const after = `/after-${TAG}`;
      await eventually(async () => (await request(APP, after)) === "ok\n", 30_000, "the new replica answers");
      await eventually(() => follow.output().includes(`request ${after}`), 5_000, "the follow goes on with the new replica's lines");
      const [newId] = containersOf(APP).filter((id) => id !== oldId && docker(["inspect", "--format", "{{index .Config.Labels \"berth.block\"}}", id]).out === "web");
      expect(follow.output()).toContain(`start ${newId!.slice(0, 12)}`);

      const found = await logs([APP, "dev", "web", "--grep", `^${oldStart}$`]);
      expect(found.map((l) => [l.block, l.stream, l.text, l.container])).toEqual([["web", "stdout", oldStart, oldId!.slice(0, 12)]]);
    } finally {
      follow.stop();
    }
  }, 120_000);

  test("a crash loop keeps each run's last line before its exit", async () => {
    const restarts = () => Number(docker(["inspect", "--format", "{{.RestartCount}}", containersOf(APP, true).find((id) => docker(["inspect", "--format", "{{index .Config.Labels \"berth.block\"}}", id]).out === "jobs")!]).out);
    await eventually(() => restarts() >= 2, 60_000, "the worker was restarted twice");
    await eventually(async () => (await logs([APP, "dev", "jobs", "--grep", "^last words"])).length >= 3, 10_000, "three exits' last words stored");
    const lines = await logs([APP, "dev", "jobs", "--grep", "^last words"]);
    // Each exit's line is there once: the reader of each run resumes after the line before.
    expect(new Set(lines.map((l) => l.text)).size).toBe(lines.length);
    expect((await logs([APP, "dev", "jobs", "--grep", "^boot$"])).length).toBeGreaterThanOrEqual(lines.length);
  }, 90_000);

  test("--since, --until and --tail bound the output; text form prefixes block/replica only with more than one source", async () => {
    const mark = new Date().toISOString();
    await Bun.sleep(50);
    const late = `/late-${TAG}`;
    await request(APP, late);
    await eventually(async () => (await logs([APP, "dev", "web", "--grep", late])).length === 1, 5_000, "the late line stored");
    const since = await logs([APP, "dev", "web", "--since", mark]);
    expect(since.map((l) => l.text)).toEqual([`request ${late}`]);
    const until = await logs([APP, "dev", "web", "--until", mark, "--grep", "^request "]);
    expect(until.map((l) => l.text)).toEqual([`request /first-${TAG}`, `request /after-${TAG}`]);
    expect(await logs([APP, "dev", "web", "--tail", "2"])).toHaveLength(2);
    expect((await logs([APP, "dev", "web", "--tail", "1"]))[0]!.text).toBe(`request ${late}`);
    expect((await logs([APP, "dev", "--since", "1h"])).map((l) => l.block).sort().at(0)).toBe("jobs");

    const oneSource = await server.run(["logs", APP, "dev", "web", "--since", mark]);
    expect(oneSource.stdout.trim()).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z request ${late}$`));
    const all = await server.run(["logs", APP, "dev", "--since", mark]);
    expect(all.stdout).toMatch(new RegExp(`Z web/0 request ${late}\\n`));

    const bad = await server.run(["logs", APP, "dev", "--since", "yesterday"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("since: expected a duration such as 10m");
  }, 60_000);

  test("another project's lines never appear, in a query or in a stream", async () => {
    const secret = `/other-${TAG}`;
    const ours = `/ours-${TAG}`;
    const stream = await fetch(`${server.url}/api/projects/${APP}/environments/dev/logs/stream?tail=0`, { headers: { Authorization: `Bearer ${readFileSync(join(server.dataDir, "admin.token"), "utf8").trim()}` } });
    expect(stream.status).toBe(200);
    let seen = "";
    const reader = stream.body!.getReader();
    void (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        seen += new TextDecoder().decode(value);
      }
    })();
    await eventually(async () => (await request(OTHER, secret)) === "ok\n", 30_000, "the other project answers");
    await eventually(async () => (await server.run(["logs", OTHER, "dev", "--grep", secret])).stdout.includes(secret), 5_000, "the other project's line is stored");
    await request(APP, ours);
    await eventually(() => seen.includes(ours), 5_000, "our own line in the stream");
    await reader.cancel();
    expect(seen).not.toContain(secret);
    expect(seen).not.toContain(OTHER);
    expect((await logs([APP, "dev", "--since", "1h", "--grep", secret]))).toEqual([]);
    const named = await server.run(["logs", APP, "dev", "web", "--grep", "other"]);
    expect(named.stdout).not.toContain(secret);
  }, 60_000);

  test("an unauthenticated stream is refused", async () => {
    const res = await fetch(`${server.url}/api/projects/${APP}/environments/dev/logs/stream`);
    expect(res.status).toBe(401);
    const wrong = await fetch(`${server.url}/api/projects/${APP}/environments/dev/logs/stream`, { headers: { Authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
  });

  test("the edge's access log is queryable per block with --access", async () => {
    const path = `/access-${TAG}`;
    await request(APP, `${path}?token=hidden`);
    let entries: { block: string; path: string; status: number; method: string; upstream: string | null }[] = [];
    await eventually(async () => {
      const result = await server.run(["logs", APP, "dev", "web", "--access", "--json", "--grep", path]);
      entries = result.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l));
      return entries.length === 1;
    }, 10_000, "the request in the access log");
    expect(entries[0]).toMatchObject({ block: "web", path, status: 200, method: "GET" });
    expect(entries[0]!.upstream).toMatch(/^127\.0\.0\.1:\d+$/);
    const other = await server.run(["logs", OTHER, "dev", "--access", "--json", "--grep", path]);
    expect(other.stdout).toBe("");
  }, 30_000);

  test("after serve restarts, collection resumes without losing or repeating a line", async () => {
    const before = await logs([APP, "dev", "web", "--since", "1h", "--grep", "^request "]);
    const follow = followInBackground([APP, "dev", "web", "--tail", "0"]);
    await Bun.sleep(500);
    await server.stop();
    // The edge and the app keep running while the control plane is away.
    const during = `/during-${TAG}`;
    expect(await request(APP, during)).toBe("ok\n");
    await server.restart();
    await eventually(async () => (await logs([APP, "dev", "web", "--grep", during])).length > 0, 15_000, "the line written while serve was down");
    const afterwards = await logs([APP, "dev", "web", "--since", "1h", "--grep", "^request "]);
    expect(afterwards.map((l) => l.text)).toEqual([...before.map((l) => l.text), `request ${during}`]);
    // The follower reconnected by itself and caught up, once.
    try {
      await eventually(() => follow.output().includes(`request ${during}`), 10_000, "the follower caught up after the restart");
      await Bun.sleep(500);
      expect(follow.output().split(`request ${during}`).length).toBe(2);
    } finally {
      follow.stop();
    }
  }, 60_000);
});
