// Deploy paths the main deploy test does not walk: a deploy while one runs, a build failing
// inside a deploy, an image that must be pulled, custom domains and public APIs through the
// edge, revoking access through the API and the CLI, a git token for a private repository,
// and the limits of `password set`. Compiled binary, real engine, real git server.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServe } from "./support/binary.ts";
import { eventually } from "./support/eventually.ts";
import { docker, lines } from "./support/sh.ts";
import { createRepo, loadTestEnv, type TestRepo } from "./support/test-env.ts";

setDefaultTimeout(120_000);

const env = loadTestEnv();
const RUN = crypto.randomUUID().slice(0, 6);
const PROJECT = `paths${RUN}`;
const DOMAIN = `shop-${RUN}.example.test`;
const TOKEN = `tok-${crypto.randomUUID()}`;

const httpd = (port: number, text: string, delay = 0) =>
  `[sh, -c, "${delay ? `sleep ${delay}; ` : ""}mkdir -p /www && echo ${text} > /www/index.html && httpd -f -p ${port} -h /www"]`;

let server: Awaited<ReturnType<typeof startServe>>;
let site: TestRepo;
let broken: TestRepo;
let privateRemote: ReturnType<typeof Bun.serve>;

/** Projects by scenario: a deploy builds or pulls every block, so a failing one gets its own. */
function projects(): Record<string, string> {
  return {
    [PROJECT]: `
  web:
    kind: website
    image: ${env.images.busybox}
    command: ${httpd(8080, "shop")}
    port: 8080
    domains: [${DOMAIN}]
  hooks:
    kind: microservice
    image: ${env.images.busybox}
    command: ${httpd(8000, "hooks")}
    port: 8000
    expose: public
  private:
    kind: website
    image: ${env.images.busybox}
    command: ${httpd(8080, "members")}
    port: 8080
    password: true
  api:
    kind: microservice
    image: ${env.images.busybox}
    command: ${httpd(8000, "api")}
    port: 8000`,
    [`${PROJECT}-slow`]: `
  slow:
    kind: website
    image: ${env.images.busybox}
    command: ${httpd(8080, "slow", 4)}
    port: 8080
    health: /`,
    [`${PROJECT}-broken`]: `
  failing:
    kind: worker
    git: { url: "${broken.httpUrl}" }`,
    [`${PROJECT}-pull`]: `
  pulled:
    kind: worker
    image: 127.0.0.1:9/berth-test/absent:${RUN}`,
    [`${PROJECT}-tok`]: `
  tokened:
    kind: worker
    git: { url: "http://127.0.0.1:${privateRemote.port}/${site.name}.git" }`,
  };
}

const viaEdge = (host: string, path = "/", init: RequestInit = {}) =>
  fetch(`${server.edgeUrl}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), Host: host } });
const host = (block: string, e = "dev") => `${block}.${e}.${PROJECT}.localhost`;
const gateway = `gateway.dev.${PROJECT}.localhost`;
const containers = (project: string) => lines(docker(["ps", "-a", "-q", "--filter", `label=berth.project=${project}`]));
const api = (path: string, init: RequestInit = {}) =>
  fetch(`${server.url}/api${path}`, { ...init, headers: { Authorization: `Bearer ${readFileSync(join(server.dataDir, "admin.token"), "utf8").trim()}`, "Content-Type": "application/json" } });
const auth = (client: { clientId: string; clientSecret: string }) =>
  viaEdge(gateway, "/auth", { method: "POST", body: JSON.stringify(client), headers: { "Content-Type": "application/json" } });
const basic = (user: string, password: string) => ({ headers: { Authorization: `Basic ${btoa(`${user}:${password}`)}` } });

beforeAll(async () => {
  site = createRepo("tokened", { Dockerfile: "FROM berth-base/busybox:latest\nCOPY . /app\n" });
  broken = createRepo("broken", { Dockerfile: "FROM berth-base/busybox:latest\nRUN echo about to fail && exit 3\n" });
  // A git remote that wants a token, in front of the test's open git server, as a forge would.
  privateRemote = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      if (request.headers.get("authorization") !== `Basic ${btoa(`x-access-token:${TOKEN}`)}`) {
        return new Response("token needed", { status: 401, headers: { "WWW-Authenticate": 'Basic realm="git"' } });
      }
      const url = new URL(request.url);
      const headers = new Headers(request.headers);
      headers.delete("authorization");
      return fetch(`${env.gitHttp}${url.pathname}${url.search}`, { method: request.method, headers, body: request.body, redirect: "manual" });
    },
  });
  server = await startServe([]);
  for (const [name, blocks] of Object.entries(projects())) {
    const file = join(server.home, `${name}.yaml`);
    writeFileSync(file, `project: ${name}\nblocks:${blocks}\n`);
    const applied = await server.run(["apply", "-f", file]);
    if (applied.code !== 0) throw new Error(`apply of ${name} failed: ${applied.stderr.trim()}`);
  }
  const deployed = await server.run(["deploy", PROJECT, "dev", "--wait"]);
  if (deployed.code !== 0) throw new Error(`deploy of ${PROJECT} failed: ${deployed.stderr.trim()}`);
}, 300_000);

afterAll(async () => {
  await server?.close();
  privateRemote?.stop(true);
  for (const project of [PROJECT, `${PROJECT}-slow`, `${PROJECT}-broken`, `${PROJECT}-pull`, `${PROJECT}-tok`]) {
    const ids = containers(project);
    if (ids.length) docker(["rm", "-f", ...ids]);
    docker(["network", "rm", `berth-${project}-dev`]);
    const images = lines(docker(["images", "-q", "--filter", `label=berth.project=${project}`]));
    if (images.length) docker(["rmi", "-f", ...new Set(images)]);
  }
  site?.remove();
  broken?.remove();
});

describe("deploy paths on the real engine", () => {
  test("a second deploy while one runs is refused with 409, naming the running release", async () => {
    const slow = `${PROJECT}-slow`;
    const started = await server.run(["deploy", slow, "dev", "--detach"]);
    expect(started.code).toBe(0);
    const second = await api(`/projects/${slow}/environments/dev/deploys`, { method: "POST" });
    expect(second.status).toBe(409);
    expect(JSON.stringify(await second.json())).toContain(`of ${slow}/dev is still deploying`);
    const viaCli = await server.run(["deploy", slow, "dev", "--detach"]);
    expect(viaCli.code).toBe(1);
    expect(viaCli.stderr.trim()).toBe(`error: release 1 of ${slow}/dev is still deploying`);
    await eventually(async () => (await viaEdge(`slow.dev.${slow}.localhost`)).status === 200, 60_000, "the first deploy finished");
  });

  test("a build failing inside a deploy fails the release with the step and exit code, and starts nothing", async () => {
    const project = `${PROJECT}-broken`;
    const result = await server.run(["deploy", project, "dev", "--wait"]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/failing.*exit code 3/);
    expect(containers(project)).toEqual([]);
    expect((await server.run(["releases", project, "dev"])).stdout).toContain("failed");
  });

  test("an image not on the engine takes the pull path; one that cannot be pulled fails the deploy naming it", async () => {
    const project = `${PROJECT}-pull`;
    const result = await server.run(["deploy", project, "dev", "--wait"]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stdout).toContain(`pulled: pulling 127.0.0.1:9/berth-test/absent:${RUN}`);
    expect(result.stderr).toContain(`127.0.0.1:9/berth-test/absent:${RUN}`);
    expect(containers(project)).toEqual([]);
  });

  test("a custom domain and a public API are routed through the edge; the public API needs no token", async () => {
    const custom = await viaEdge(DOMAIN);
    expect(custom.status).toBe(200);
    expect(await custom.text()).toBe("shop\n");
    expect(await (await viaEdge(host("web"))).text()).toBe("shop\n");
    const hooks = await viaEdge(host("hooks"));
    expect(hooks.status).toBe(200);
    expect(await hooks.text()).toBe("hooks\n");
    // A gateway API on the other hand needs a token.
    expect((await viaEdge(gateway, "/api/")).status).toBe(401);
  });

  test("a gateway client revoked through the CLI or the API can no longer get a token", async () => {
    for (const via of ["cli", "api"] as const) {
      const client = JSON.parse((await server.run(["gateway", "client", "create", PROJECT, "dev", "--json"])).stdout) as { clientId: string; clientSecret: string };
      await eventually(async () => (await auth(client)).status === 200, 5000, "the new client works at the edge");
      if (via === "cli") expect((await server.run(["gateway", "client", "revoke", PROJECT, "dev", client.clientId])).code).toBe(0);
      else expect((await api(`/projects/${PROJECT}/environments/dev/gateway/clients/${client.clientId}`, { method: "DELETE" })).status).toBeLessThan(300);
      const listed = JSON.parse((await server.run(["gateway", "client", "list", PROJECT, "dev", "--json"])).stdout) as { clientId: string }[];
      expect(listed.map((c) => c.clientId)).not.toContain(client.clientId);
      await eventually(async () => (await auth(client)).status === 401, 5000, `the client revoked via ${via} is refused`);
    }
  });

  test("a website user removed through the CLI or the API is refused at the edge", async () => {
    for (const [via, user] of [["cli", "carol"], ["api", "dave"]] as const) {
      expect((await server.run(["password", "set", PROJECT, "dev", "private", user], "correct horse battery\n")).code).toBe(0);
      await eventually(async () => (await viaEdge(host("private"), "/", basic(user, "correct horse battery"))).status === 200, 5000, `${user} gets in`);
      if (via === "cli") expect((await server.run(["password", "remove", PROJECT, "dev", "private", user])).code).toBe(0);
      else expect((await api(`/projects/${PROJECT}/environments/dev/blocks/private/passwords/${user}`, { method: "DELETE" })).status).toBeLessThan(300);
      await eventually(async () => (await viaEdge(host("private"), "/", basic(user, "correct horse battery"))).status === 401, 5000, `${user} is refused`);
    }
    const again = await server.run(["password", "remove", PROJECT, "dev", "private", "carol"]);
    expect([again.code, again.stderr.trim()]).toEqual([1, 'error: user "carol" of private not found']);
  });

  test("password set refuses short and oversized passwords, non-websites and unknown blocks, naming the problem, and stores nothing", async () => {
    const cases: [string[], string, RegExp][] = [
      [["private", "erin"], "short\n", /^error: the password must have at least 8 characters/],
      [["api", "erin"], "correct horse battery\n", /^error: block "api" is a microservice; passwords protect websites$/],
      [["ghost", "erin"], "correct horse battery\n", /^error: .*ghost.* not found$/],
      [["private", "erin"], `${"x".repeat(1025)}\n`, /^error: .*password/],
    ];
    for (const [args, stdin, message] of cases) {
      const result = await server.run(["password", "set", PROJECT, "dev", ...args], stdin);
      expect(result.code).toBe(1);
      // The first line says what is wrong; field problems, if any, follow one per line.
      expect(result.stderr.trim().split("\n")[0]).toMatch(message);
    }
    const users = (await (await api(`/projects/${PROJECT}/environments/dev/blocks/private/passwords`)).json()) as unknown;
    expect(JSON.stringify(users)).not.toContain("erin");
  });

  test("block git-token: a private repository builds with the token, fails without it, and the token shows nowhere", async () => {
    const denied = await server.run(["build", `${PROJECT}-tok`, "tokened"]);
    expect(denied.code).toBe(1);
    expect(denied.stderr.trim().split("\n")).toHaveLength(1);
    const stored = await server.run(["block", "git-token", `${PROJECT}-tok`, "tokened"], `${TOKEN}\n`);
    expect([stored.code, stored.stdout.trim()]).toEqual([0, "token stored (encrypted)"]);
    const built = await server.run(["build", `${PROJECT}-tok`, "tokened"]);
    expect(built.stderr).toBe("");
    expect(built.code).toBe(0);
    for (const text of [built.stdout, (await server.run(["builds", `${PROJECT}-tok`, "--json"])).stdout, (await server.run(["export", `${PROJECT}-tok`])).stdout]) {
      expect(text).not.toContain(TOKEN);
    }
    for (const log of readdirSync(join(server.dataDir, "logs/builds"))) {
      expect(readFileSync(join(server.dataDir, "logs/builds", log), "utf8")).not.toContain(TOKEN);
    }
    expect(readFileSync(join(server.dataDir, "berth.db")).includes(TOKEN)).toBe(false);
    expect((await server.run(["block", "git-token", `${PROJECT}-tok`, "tokened", "--remove"])).stdout.trim()).toBe("token removed");
    site.commit({ "v2.txt": "2\n" }, "v2");
    expect((await server.run(["build", `${PROJECT}-tok`, "tokened"])).code).toBe(1);
  });
});
