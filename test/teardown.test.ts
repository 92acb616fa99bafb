// What deleting leaves behind: `env delete`, `apply --prune` and `project delete` on the
// compiled binary and the real engine. Each environment is deployed once in beforeAll; each
// test tears one down and checks containers, network, routes at the edge, passwords,
// gateway clients and volumes (kept, or purged when asked).
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Database } from "bun:sqlite";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServe } from "./support/binary.ts";
import { eventually } from "./support/eventually.ts";
import { docker, lines } from "./support/sh.ts";
import { loadTestEnv } from "./support/test-env.ts";

setDefaultTimeout(120_000);

const env = loadTestEnv();
const PROJECT = `gone${crypto.randomUUID().slice(0, 6)}`;
const ENVIRONMENTS = ["one", "two", "three"];

const projectFile = (environments: string[]) => `project: ${PROJECT}
blocks:
  web:
    kind: website
    image: ${env.images.busybox}
    command: [sh, -c, "mkdir -p /www && echo private page > /www/index.html && httpd -f -p 8080 -h /www"]
    port: 8080
    password: true
  api:
    kind: microservice
    image: ${env.images.busybox}
    command: [sh, -c, "mkdir -p /www && echo api > /www/index.html && httpd -f -p 8000 -h /www"]
    port: 8000
  db:
    kind: service
    image: ${env.images.busybox}
    command: [sh, -c, "mkdir -p /data && httpd -f -p 6379 -h /data"]
    port: 6379
    volumes: { /data: 10Mi }
environments:
${environments.map((e) => `  ${e}: {}`).join("\n")}
`;

let server: Awaited<ReturnType<typeof startServe>>;

const viaEdge = (host: string, path = "/", init: RequestInit = {}) =>
  fetch(`${server.edgeUrl}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), Host: host } });
const webHost = (e: string) => `web.${e}.${PROJECT}.localhost`;
const gatewayHost = (e: string) => `gateway.${e}.${PROJECT}.localhost`;
const byLabel = (kind: "ps" | "volume", e?: string) =>
  lines(docker([...(kind === "ps" ? ["ps", "-a"] : ["volume", "ls"]), "-q", "--filter", `label=berth.project=${PROJECT}`, ...(e ? ["--filter", `label=berth.env=${e}`] : [])]));
const networkExists = (e: string) => docker(["network", "inspect", `berth-${PROJECT}-${e}`]).code === 0;

/** Rows the state DB still holds for an environment, read-only. */
function rows(e: string): { passwords: number; clients: number; routes: number } {
  const db = new Database(join(server.dataDir, "berth.db"), { readonly: true });
  try {
    const count = (table: string) => (db.query(`SELECT count(*) AS n FROM ${table} WHERE project = ? AND environment = ?`).get(PROJECT, e) as { n: number }).n;
    return { passwords: count("basic_auth_users"), clients: count("gateway_clients"), routes: count("edge_routes") };
  } finally {
    db.close();
  }
}

/** Everything an environment has while it runs: checked before each teardown, so "gone" means something. */
async function expectRunning(e: string) {
  expect(byLabel("ps", e)).toHaveLength(3);
  expect(byLabel("volume", e)).toHaveLength(1);
  expect(networkExists(e)).toBe(true);
  expect(rows(e)).toEqual({ passwords: 1, clients: 1, routes: 2 });
  expect((await viaEdge(webHost(e))).status).toBe(401);
  expect((await viaEdge(gatewayHost(e), "/api/")).status).toBe(401);
}

/** Nothing of the environment runs or answers, and its access rows are gone. */
async function expectTornDown(e: string) {
  expect(byLabel("ps", e)).toEqual([]);
  expect(networkExists(e)).toBe(false);
  expect(rows(e)).toEqual({ passwords: 0, clients: 0, routes: 0 });
  // The edge follows the DB by polling: give it a generous bound to drop the routes.
  await eventually(async () => (await viaEdge(webHost(e))).status === 404, 5000, `no route for ${webHost(e)}`);
  expect((await viaEdge(gatewayHost(e), "/api/")).status).toBe(404);
}

beforeAll(async () => {
  server = await startServe([]);
  const file = join(server.home, "berth.yaml");
  writeFileSync(file, projectFile(ENVIRONMENTS));
  expect((await server.run(["apply", "-f", file])).code).toBe(0);
  for (const e of ENVIRONMENTS) {
    const deployed = await server.run(["deploy", PROJECT, e, "--wait"]);
    if (deployed.code !== 0) throw new Error(`deploy of ${e} failed: ${deployed.stderr.trim()}`);
    expect((await server.run(["password", "set", PROJECT, e, "web", "alice"], "correct horse battery\n")).code).toBe(0);
    expect((await server.run(["gateway", "client", "create", PROJECT, e])).code).toBe(0);
  }
}, 300_000);

afterAll(async () => {
  await server?.close();
  const ids = byLabel("ps");
  if (ids.length) docker(["rm", "-f", ...ids]);
  for (const e of ENVIRONMENTS) docker(["network", "rm", `berth-${PROJECT}-${e}`]);
  const volumes = byLabel("volume");
  if (volumes.length) docker(["volume", "rm", "-f", ...volumes]);
});

describe("teardown on the real engine", () => {
  test("env delete stops and removes the environment's containers, network, routes, passwords and gateway clients, and keeps its volume", async () => {
    await expectRunning("one");
    const deleted = await server.run(["env", "delete", PROJECT, "one", "--yes"]);
    expect([deleted.code, deleted.stderr]).toEqual([0, ""]);
    await expectTornDown("one");
    expect(byLabel("volume", "one")).toHaveLength(1);
    // The other environments are untouched.
    expect((await viaEdge(webHost("two"))).status).toBe(401);
  });

  test("apply --prune deletes an environment missing from the file the same way, keeping its volume", async () => {
    await expectRunning("two");
    const file = join(server.home, "pruned.yaml");
    writeFileSync(file, projectFile(["three"]));
    const refused = await server.run(["apply", "-f", file]);
    expect(refused.code).toBe(1);
    expect(byLabel("ps", "two")).toHaveLength(3);
    const pruned = await server.run(["apply", "-f", file, "--prune"]);
    expect(pruned.code).toBe(0);
    await expectTornDown("two");
    expect(byLabel("volume", "two")).toHaveLength(1);
    expect((await viaEdge(webHost("three"))).status).toBe(401);
  });

  test("project delete --purge-volumes removes everything of the project, volumes included", async () => {
    await expectRunning("three");
    const deleted = await server.run(["project", "delete", PROJECT, "--purge-volumes", "--yes"]);
    expect([deleted.code, deleted.stderr]).toEqual([0, ""]);
    await expectTornDown("three");
    expect(byLabel("volume", "three")).toEqual([]);
    expect((await server.run(["project", "show", PROJECT])).stderr.trim()).toBe(`error: project "${PROJECT}" not found`);
  });
});
