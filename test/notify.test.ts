// Notifications end to end: the compiled binary deploys on the real engine and POSTs to
// receivers this test runs on loopback: one that answers, one that fails its first tries,
// one that never answers and a port nobody listens on.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, startServe } from "./support/binary.ts";
import { eventually } from "./support/eventually.ts";
import { docker } from "./support/sh.ts";
import { loadTestEnv } from "./support/test-env.ts";

setDefaultTimeout(120_000);

const env = loadTestEnv();
const PROJECT = `notify${crypto.randomUUID().slice(0, 6)}`;
/** Receivers' URLs carry this, as Slack's and Discord's carry theirs: it must never be stored or shown in plain text. */
const TOKEN = `tok${crypto.randomUUID().replaceAll("-", "")}`;

interface Message {
  path: string;
  body: Record<string, unknown>;
  delivery: string | null;
  event: string | null;
}

const messages: Message[] = [];
let flakyTries = 0;
let hangOpen = 0;
let hangSeen = 0;
const receiver = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    const path = new URL(req.url).pathname;
    const text = await req.text();
    const message = { path, body: JSON.parse(text) as Record<string, unknown>, delivery: req.headers.get("x-berth-delivery"), event: req.headers.get("x-berth-event") };
    if (path.startsWith("/hang")) {
      hangSeen++;
      hangOpen++;
      req.signal.addEventListener("abort", () => hangOpen--);
      return new Promise<Response>(() => {});
    }
    messages.push(message);
    if (path.startsWith("/flaky") && ++flakyTries <= 2) return new Response("try later", { status: 503 });
    return new Response("ok");
  },
});

const hook = (name: string) => `http://127.0.0.1:${receiver.port}/${name}/${TOKEN}?key=${TOKEN}`;
const received = (name: string, release: number) => messages.filter((m) => m.path.startsWith(`/${name}/`) && m.body.release === release);

let server: Awaited<ReturnType<typeof startServe>>;

interface Listed {
  id: number;
  target: string;
  format: string;
  events: string[];
  last: { status: string; error: string | null; event: string; attempts: number } | null;
}
const list = async (): Promise<Listed[]> => JSON.parse((await server.run(["notify", "list", PROJECT, "--json"])).stdout);
const add = async (url: string, ...options: string[]): Promise<Listed> => {
  const added = await server.run(["notify", "add", PROJECT, "-", "--json", ...options], url);
  expect(added.stderr).toBe("");
  return JSON.parse(added.stdout);
};

beforeAll(async () => {
  server = await startServe(["--no-edge"], { notifyAttempts: 3, notifyRetryDelay: "200ms", notifyTimeout: "20s", publicUrl: "https://berth.test/" });
  const file = join(server.home, "berth.yaml");
  writeFileSync(
    file,
    `project: ${PROJECT}
blocks:
  tick:
    kind: worker
    image: ${env.images.busybox}
    command: [sh, -c, 'test "$FAIL" = 1 && echo failing on purpose && exit 3; while true; do sleep 1; done']
environments:
  dev: {}
`,
  );
  expect((await server.run(["apply", "-f", file])).code).toBe(0);
}, 60_000);

afterAll(async () => {
  await server?.close();
  receiver.stop(true);
  const ids = docker(["ps", "-aq", "--filter", `label=berth.project=${PROJECT}`]).out.split("\n").filter(Boolean);
  if (ids.length) docker(["rm", "-f", ...ids]);
  docker(["network", "rm", `berth-${PROJECT}-dev`]);
});

describe("notifications on the compiled binary and the real engine", () => {
  test("a receiver gets one JSON message after a deploy, with the release's fields and a console link", async () => {
    const added = await add(hook("ok"));
    expect(added).toMatchObject({ target: `http://127.0.0.1:${receiver.port}/…`, format: "json", events: ["deploy", "promote", "rollback", "push", "job", "certificate"], last: null });
    const deploy = await server.run(["deploy", PROJECT, "dev"]);
    expect(deploy.code).toBe(0);
    await eventually(() => received("ok", 1).length > 0, 30_000, "the message of release 1");
    const [message] = received("ok", 1);
    expect(message!.body).toMatchObject({
      version: 1, event: "deploy", project: PROJECT, environment: "dev", release: 1, source: "deploy", status: "deployed", ok: true, reason: null,
      url: `https://berth.test/p/${PROJECT}/env/dev`,
    });
    const body = message!.body as { startedAt: string; finishedAt: string; durationMs: number };
    expect(body.durationMs).toBe(Date.parse(body.finishedAt) - Date.parse(body.startedAt));
    expect(body.durationMs).toBeGreaterThan(0);
    expect(message!.event).toBe("deploy");
    await eventually(async () => (await list())[0]?.last?.status === "delivered", 30_000, "notify list shows the delivery");
    expect((await list())[0]!.last).toMatchObject({ status: "delivered", error: null, event: "deploy dev #1", attempts: 1 });
    await Bun.sleep(500);
    expect(received("ok", 1)).toHaveLength(1);
    const tested = await server.run(["notify", "test", PROJECT, String(added.id)]);
    expect([tested.code, tested.stdout.trim()]).toEqual([0, `test message delivered to http://127.0.0.1:${receiver.port}/…`]);
    expect(messages.at(-1)).toMatchObject({ event: "test", body: { event: "test", project: PROJECT } });
  });

  test("a receiver that fails its first tries gets the message on a retry, the same delivery each time", async () => {
    const flaky = await add(hook("flaky"), "--events", "deploy");
    expect((await server.run(["deploy", PROJECT, "dev"])).code).toBe(0);
    await eventually(() => received("flaky", 2).length === 3, 30_000, "three tries at the flaky receiver");
    const tries = received("flaky", 2);
    expect(new Set(tries.map((t) => t.delivery)).size).toBe(1);
    await eventually(async () => (await list()).find((n) => n.id === flaky.id)?.last?.status === "delivered", 30_000, "the flaky receiver delivered");
    expect((await list()).find((n) => n.id === flaky.id)!.last).toMatchObject({ status: "delivered", attempts: 3, event: "deploy dev #2" });
  });

  test("a receiver that hangs and one that refuses slow no deploy, and notify list shows their errors", async () => {
    const hang = await add(hook("hang"));
    const refusedUrl = `http://127.0.0.1:${freePort()}/hook/${TOKEN}`;
    const refused = await add(refusedUrl);
    const deploy = await server.run(["deploy", PROJECT, "dev"]);
    expect([deploy.code, deploy.stdout]).toEqual([0, expect.stringContaining("release 3 deployed")]);
    // The deploy returned while the hanging receiver still holds the message's request open (20 s per try):
    // a deploy that waited for the receiver would only return once every try had timed out and closed.
    await eventually(() => hangSeen > 0, 10_000, "the hanging receiver got the message");
    expect(hangOpen).toBeGreaterThan(0);
    // …and the environment is free for the next release at once.
    const restart = await server.run(["restart", PROJECT, "dev"]);
    expect([restart.code, restart.stdout]).toEqual([0, expect.stringContaining("release 4 deployed")]);
    await eventually(async () => (await list()).find((n) => n.id === refused.id)?.last?.status === "failed", 30_000, "the refused receiver failed");
    expect((await list()).find((n) => n.id === refused.id)!.last).toMatchObject({ status: "failed", error: "connection refused", attempts: 3 });
    await eventually(async () => /no answer within 20 s/.test((await list()).find((n) => n.id === hang.id)?.last?.error ?? ""), 60_000, "the hanging receiver's error");
    const tested = await server.run(["notify", "test", PROJECT, String(refused.id)]);
    expect([tested.code, tested.stderr.trim()]).toEqual([1, `error: the test message to http://127.0.0.1:${new URL(refusedUrl).port}/… failed: connection refused`]);
    const table = await server.run(["notify", "list", PROJECT]);
    expect(table.stdout).toContain("connection refused");
    expect(table.stdout).toContain("no answer within 20 s");
    expect(table.stdout).not.toContain(TOKEN);
    for (const id of [hang.id, refused.id]) expect((await server.run(["notify", "remove", PROJECT, String(id)])).code).toBe(0);
    expect((await list()).map((n) => n.id)).toEqual([1, 2]);
  });

  test("a failed release is told too, with its reason", async () => {
    expect((await server.run(["vars", "set", PROJECT, "dev", "tick", "FAIL=1"])).code).toBe(0);
    const deploy = await server.run(["deploy", PROJECT, "dev"]);
    expect(deploy.code).not.toBe(0);
    await eventually(() => received("ok", 5).length > 0, 30_000, "the message of failed release 5");
    const body = received("ok", 5)[0]!.body;
    expect(body).toMatchObject({ event: "deploy", release: 5, status: "failed", ok: false });
    expect(typeof body.reason).toBe("string");
    // The receiver that listens for deploys only heard it too; a refused --events value is a usage error.
    await eventually(() => received("flaky", 5).length > 0, 30_000, "the deploy-only receiver's message");
    const wrong = await server.run(["notify", "add", PROJECT, hook("x"), "--events", "deploy,launch"]);
    expect([wrong.code, wrong.stderr.split("\n")[0]]).toEqual([2, "berth notify add: --events takes a comma-separated list of deploy, promote, rollback, push, job, certificate; not launch"]);
  });

  test("the stored URL is not in plain text in the state DB, nor in serve's logs", () => {
    const files = readdirSync(server.dataDir).filter((f) => f.startsWith("berth.db")).map((f) => join(server.dataDir, f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(readFileSync(file).includes(TOKEN)).toBe(false);
    const logs = readdirSync(server.home).filter((f) => f.startsWith("serve-")).map((f) => readFileSync(join(server.home, f), "utf8"));
    expect(logs.join("")).not.toContain(TOKEN);
  });
});
