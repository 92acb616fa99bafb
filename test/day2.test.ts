import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, berth, startServe } from "./support/binary.ts";
import { loadTestEnv } from "./support/test-env.ts";
import { docker } from "./support/sh.ts";

const env = loadTestEnv();
const PROJECT = `dayii${crypto.randomUUID().slice(0, 6)}`;
let server: Awaited<ReturnType<typeof startServe>>;

const projectFile = () => `project: ${PROJECT}
blocks:
  web:
    kind: website
    image: ${env.images.busybox}
    command: [sh, -c, "mkdir -p /www && echo hi > /www/index.html && httpd -f -p 8080 -h /www"]
    port: 8080
  tick:
    kind: worker
    image: ${env.images.busybox}
    command: [sh, -c, "while true; do sleep 1; done"]
environments:
  dev: {}
`;

const containers = (block: string) =>
  docker(["ps", "-q", "--no-trunc", "--filter", `label=berth.project=${PROJECT}`, "--filter", `label=berth.block=${block}`]).out.split("\n").filter(Boolean).sort();
const site = () => fetch(`${server.edgeUrl}/`, { headers: { Host: `web.dev.${PROJECT}.localhost` } });

beforeAll(async () => {
  server = await startServe([]);
  const file = join(server.home, "berth.yaml");
  writeFileSync(file, projectFile());
  expect((await server.run(["apply", "-f", file])).code).toBe(0);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  const edgePid = Number(readFileSync(join(server.dataDir, "edge.pid"), "utf8"));
  if (edgePid) process.kill(edgePid, "SIGTERM");
  const ids = docker(["ps", "-aq", "--filter", `label=berth.project=${PROJECT}`]).out.split("\n").filter(Boolean);
  if (ids.length) docker(["rm", "-f", ...ids]);
  docker(["network", "rm", `berth-${PROJECT}-dev`]);
});

describe("day-2 verbs on the compiled binary and the real engine", () => {
  test("deploy follows the rollout by default and ends with the URLs", async () => {
    const result = await server.run(["deploy", PROJECT, "dev"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("release 1 deployed");
    expect(result.stdout).toContain(`  web: http://web.dev.${PROJECT}.localhost:${server.env.BERTH_EDGE_LISTEN.split(":")[1]}/`);
  }, 120_000);

  test("exec runs a command in a replica: its output, its exit code", async () => {
    const echo = await server.run(["exec", PROJECT, "dev", "web", "--", "echo", "hello from $(hostname)"]);
    expect([echo.code, echo.stdout, echo.stderr]).toEqual([0, "hello from $(hostname)\n", ""]);
    const failing = await server.run(["exec", PROJECT, "dev", "tick", "--", "sh", "-c", "echo oops >&2; exit 3"]);
    expect(failing.code).toBe(3);
    expect(failing.stderr).toBe("oops\n");
    const input = await server.run(["exec", PROJECT, "dev", "web", "--", "cat", "/www/index.html", "-"], "from stdin\n");
    expect(input.stdout).toBe("hi\nfrom stdin\n");
  }, 60_000);

  test("exec with no command opens an interactive shell on a pseudo-terminal", () => {
    const configArgs = "";
    // `script` gives the binary a terminal; the command line is fixed test text.
    const result = Bun.spawnSync(["script", "-qec", `${BINARY} exec ${PROJECT} dev web${configArgs}`, "/dev/null"], {
      env: { ...server.env, TERM: "xterm" },
      stdin: new TextEncoder().encode("echo $((6*7)); tty\nexit 0\n"),
      stdout: "pipe",
      timeout: 30_000,
    });
    const screen = result.stdout.toString();
    expect(screen).toContain("42");
    expect(screen).toMatch(/\/dev\/pts\/\d+/);
    expect(result.exitCode).toBe(0);
  }, 60_000);

  test("exec is refused to a viewer, and for a block that does not exist, in one line", async () => {
    const viewer = (await server.run(["token", "create", "looker", "--role", "viewer", "--json"])).stdout;
    const token = JSON.parse(viewer).token as string;
    const denied = await berth(["exec", PROJECT, "dev", "web", "--", "id"], { ...server.env, BERTH_URL: server.url, BERTH_TOKEN: token });
    expect([denied.code, denied.stderr.trim()]).toEqual([1, `error: this needs the member role on "${PROJECT}"; you have viewer`]);
    const missing = await server.run(["exec", PROJECT, "dev", "nope", "--", "id"]);
    expect([missing.code, missing.stderr.trim()]).toEqual([1, `error: block "nope" in project "${PROJECT}" not found`]);
  }, 60_000);

  test("vars set says when the app sees a change, and --deploy rolls it out at once", async () => {
    const later = await server.run(["vars", "set", PROJECT, "dev", "web", "GREETING=later"]);
    expect(later.stdout).toContain(`the app sees the change after the next deploy: berth deploy ${PROJECT} dev`);
    expect((await server.run(["exec", PROJECT, "dev", "web", "--", "sh", "-c", 'echo "[$GREETING]"'])).stdout).toBe("[]\n");
    const now = await server.run(["vars", "set", PROJECT, "dev", "web", "GREETING=hello", "--deploy"]);
    expect(now.code).toBe(0);
    expect(now.stdout).toMatch(/release \d+ deployed/);
    expect((await server.run(["exec", PROJECT, "dev", "web", "--", "sh", "-c", 'echo "[$GREETING]"'])).stdout).toBe("[hello]\n");
  }, 120_000);

  test("restart replaces one block's containers with zero downtime and leaves the others alone", async () => {
    const [webBefore, tickBefore] = [containers("web"), containers("tick")];
    let failed = 0;
    let served = 0;
    let running = true;
    const load = (async () => {
      while (running) {
        const response = await site().catch(() => null);
        if (response?.status === 200) served++;
        else failed++;
        await response?.text();
      }
    })();
    const result = await server.run(["restart", PROJECT, "dev", "web"]);
    running = false;
    await load;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("restarting web");
    expect(containers("web")).not.toEqual(webBefore);
    expect(containers("web")).toHaveLength(1);
    expect(containers("tick")).toEqual(tickBefore);
    expect(served).toBeGreaterThan(0);
    expect(failed).toBe(0);
  }, 120_000);

  test("scale sets replicas, rolls them out from the live images, and keeps them in the environment", async () => {
    const result = await server.run(["scale", PROJECT, "dev", "web=2"]);
    expect(result.code).toBe(0);
    expect(containers("web")).toHaveLength(2);
    const exported = (await server.run(["export", PROJECT])).stdout;
    expect(exported).toMatch(/dev:\n\s+blocks:\n\s+web:\n\s+replicas: 2/);
    const builds = JSON.parse((await server.run(["builds", PROJECT, "--json"])).stdout);
    expect(builds).toEqual([]);
    const wrong = await server.run(["scale", PROJECT, "dev", "web=lots"]);
    expect([wrong.code, wrong.stderr.split("\n")[0]]).toEqual([2, 'berth scale: expected BLOCK=N (such as web=3), got "web=lots"']);
  }, 120_000);
});
