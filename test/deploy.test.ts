import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServe } from "./support/binary.ts";
import { docker, lines } from "./support/sh.ts";
import { createRepo, git, loadTestEnv, type TestRepo } from "./support/test-env.ts";

// Builds and rollouts on a shared engine take tens of seconds.
setDefaultTimeout(180_000);

const env = loadTestEnv();
const PROJECT = `shop${crypto.randomUUID().slice(0, 6)}`;
const DOMAIN = "localhost";

const containers = (block?: string) =>
  lines(docker(["ps", "-q", "--no-trunc", "--filter", `label=berth.project=${PROJECT}`, ...(block ? ["--filter", `label=berth.block=${block}`] : [])])).sort();

const WEB_DOCKERFILE = 'FROM berth-base/busybox:latest\nCOPY index.html /www/index.html\nCMD ["httpd", "-f", "-p", "8080", "-h", "/www"]\n';
const API_APP = `import http.server, json, os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"path": self.path, "client": self.headers.get("X-Berth-Client"), "auth": self.headers.get("Authorization")}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json"); self.end_headers(); self.wfile.write(body)
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
`;

let server: Awaited<ReturnType<typeof startServe>>;
let firstDeploy: Awaited<ReturnType<typeof deploy>>;
let web: TestRepo;
let apps: TestRepo;

const projectFile = () => `project: ${PROJECT}
blocks:
  web:
    kind: website
    git: { url: "${web.httpUrl}" }
    port: 8080
    health: /
    env: { API: "http://api:8000" }
  api:
    kind: microservice
    git: { url: "${apps.httpUrl}", path: api }
    build: { preset: python, version: "3", start: "python3 app.py" }
    port: 8000
  internal:
    kind: microservice
    git: { url: "${apps.httpUrl}", path: api }
    build: { preset: python, version: "3", start: "python3 app.py" }
    port: 8000
    expose: internal
  db:
    kind: service
    image: ${env.images.busybox}
    command: [sh, -c, "mkdir -p /data && httpd -f -p 6379 -h /data"]
    port: 6379
    volumes: { /data: 100Mi }
  private:
    kind: website
    image: ${env.images.busybox}
    command: [sh, -c, "mkdir -p /www && echo secret page > /www/index.html && httpd -f -p 8080 -h /www"]
    port: 8080
    password: true
  ws:
    kind: website
    git: { url: "${apps.httpUrl}", path: ws }
    build: { preset: python, version: "3", start: "python3 ws_echo.py" }
    port: 8000
environments:
  dev: {}
`;

/** A request to the edge for a host, as a browser or curl would send it. */
const viaEdge = (host: string, path = "/", init: RequestInit = {}) =>
  fetch(`${server.edgeUrl}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), Host: host } });
const host = (block: string) => `${block}.dev.${PROJECT}.${DOMAIN}`;
const gateway = `gateway.dev.${PROJECT}.${DOMAIN}`;

async function deploy() {
  const result = await server.run(["deploy", PROJECT, "dev", "--wait"]);
  return result;
}

beforeAll(async () => {
  web = createRepo("web", { Dockerfile: WEB_DOCKERFILE, "index.html": "site v1\n" });
  apps = createRepo("apps", { "api/app.py": API_APP, "ws/ws_echo.py": readFileSync(join(import.meta.dir, "fixtures/apps/ws_echo.py"), "utf8") });
  server = await startServe([], { presetImages: { python: "berth-base/python:{version}" }, imagesKept: 3 });
  const file = join(server.home, "berth.yaml");
  writeFileSync(file, projectFile());
  expect((await server.run(["apply", "-f", file])).code).toBe(0);
  expect((await server.run(["password", "set", PROJECT, "dev", "private", "alice"], "correct horse battery\n")).code).toBe(0);
  // Every later test needs the environment running: set-up, not a test of its own.
  firstDeploy = await deploy();
}, 300_000);

afterAll(async () => {
  await server?.close();
  const ids = containers();
  if (ids.length) docker(["rm", "-f", ...ids]);
  docker(["network", "rm", `berth-${PROJECT}-dev`]);
  const volumes = lines(docker(["volume", "ls", "-q", "--filter", `label=berth.project=${PROJECT}`]));
  if (volumes.length) docker(["volume", "rm", ...volumes]);
  const images = lines(docker(["images", "-q", "--filter", `label=berth.project=${PROJECT}`]));
  if (images.length) docker(["rmi", "-f", ...new Set(images)]);
  web?.remove();
  apps?.remove();
});

describe("deploy an environment on the real engine, behind the edge", () => {
  test("deploy --wait exits 0 and status lists every block running with its URL", async () => {
    const result = firstDeploy;
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("release 1 deployed");
    const status = JSON.parse((await server.run(["status", PROJECT, "dev", "--json"])).stdout) as { blocks: { name: string; kind: string; state: string; url: string | null }[] };
    const byName = Object.fromEntries(status.blocks.map((b) => [b.name, b]));
    for (const name of ["web", "api", "internal", "db", "private", "ws"]) expect(byName[name]!.state).toBe("running");
    expect(byName.web!.url).toBe(`http://${host("web")}:${server.env.BERTH_EDGE_LISTEN.split(":")[1]}/`);
    expect(byName.api!.url).toContain(`${gateway}`);
    expect(byName.internal!.url).toBeNull();
    expect(byName.db!.url).toBeNull();
  });

  test("the website is served by host name through the edge", async () => {
    const res = await viaEdge(host("web"));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("site v1\n");
  });

  test("containers publish on 127.0.0.1 only", () => {
    // Every block of this project has a port: one replica each, each publishing it.
    const ids = containers();
    expect(ids).toHaveLength(6);
    for (const id of ids) {
      const bindings = [...docker(["inspect", "--format", "{{json .HostConfig.PortBindings}}", id]).out.matchAll(/"HostIp":"([^"]*)"/g)].map((m) => m[1]);
      expect(bindings.length).toBeGreaterThan(0);
      expect(bindings.every((ip) => ip === "127.0.0.1")).toBe(true);
    }
  });

  test("the gateway refuses without a token and answers with one; the service sees the caller", async () => {
    expect((await viaEdge(gateway, "/api/items")).status).toBe(401);
    const client = JSON.parse((await server.run(["gateway", "client", "create", PROJECT, "dev", "--json"])).stdout) as { clientId: string; clientSecret: string };
    const bad = await viaEdge(gateway, "/auth", { method: "POST", body: JSON.stringify({ clientId: client.clientId, clientSecret: "wrong" }), headers: { "Content-Type": "application/json" } });
    expect(bad.status).toBe(401);
    // The edge follows the state DB within a second; a client is usable once it has seen it.
    let auth = new Response(null, { status: 599 });
    for (let i = 0; i < 20 && auth.status !== 200; i++) {
      if (i > 0) await Bun.sleep(100);
      auth = await viaEdge(gateway, "/auth", { method: "POST", body: JSON.stringify(client), headers: { "Content-Type": "application/json" } });
    }
    expect(auth.status).toBe(200);
    const { token, expiresIn } = (await auth.json()) as { token: string; expiresIn: number };
    expect(expiresIn).toBeGreaterThan(0);
    const res = await viaEdge(gateway, "/api/items?x=1", { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ path: "/items?x=1", client: client.clientId, auth: null });
    expect((await viaEdge(gateway, "/api/items", { headers: { Authorization: `Bearer ${token}x` } })).status).toBe(401);
  });

  test("internal APIs and services have no route, yet the website's container reaches both by name", async () => {
    expect((await viaEdge(host("internal"))).status).toBe(404);
    expect((await viaEdge(host("db"))).status).toBe(404);
    const [webContainer] = containers("web");
    const internal = docker(["exec", webContainer!, "wget", "-qO-", "http://internal:8000/hello"]);
    expect(JSON.parse(internal.out).path).toBe("/hello");
    docker(["exec", containers("db")[0]!, "sh", "-c", "echo stored > /data/probe.txt"]);
    expect(docker(["exec", webContainer!, "wget", "-qO-", "http://db:6379/probe.txt"]).out).toBe("stored");
  });

  test("a password-protected website: 401 without credentials, 200 with", async () => {
    const none = await viaEdge(host("private"));
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Basic");
    const wrong = await viaEdge(host("private"), "/", { headers: { Authorization: `Basic ${btoa("alice:nope")}` } });
    expect(wrong.status).toBe(401);
    const ok = await viaEdge(host("private"), "/", { headers: { Authorization: `Basic ${btoa("alice:correct horse battery")}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("secret page\n");
  });

  test("a websocket echoes through the edge", async () => {
    const port = server.env.BERTH_EDGE_LISTEN.split(":")[1];
    const socket = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { Host: host("ws") } } as unknown as string[]);
    const reply = await new Promise<string>((resolve, reject) => {
      socket.onopen = () => socket.send("ping");
      socket.onmessage = (e) => resolve(String(e.data));
      socket.onerror = () => reject(new Error("websocket failed"));
      setTimeout(() => reject(new Error("no websocket reply")), 10_000);
    });
    socket.close();
    expect(reply).toBe("echo: ping");
  });

  test("a redeploy of a changed site under continuous load fails no request", async () => {
    web.commit({ "index.html": "site v2\n" }, "v2");
    let sent = 0;
    let failed = 0;
    const seen = new Set<string>();
    let loading = true;
    const load = (async () => {
      while (loading) {
        sent++;
        try {
          const res = await viaEdge(host("web"));
          if (res.status !== 200) failed++;
          seen.add(await res.text());
        } catch {
          failed++;
        }
      }
    })();
    const result = await deploy();
    await Bun.sleep(500);
    loading = false;
    await load;
    expect(result.code).toBe(0);
    expect(sent).toBeGreaterThan(50);
    expect(failed).toBe(0);
    expect(seen).toEqual(new Set(["site v1\n", "site v2\n"]));
  });

  test("an unhealthy version never gets traffic: the old one keeps serving and the deploy fails with the reason", async () => {
    const before = containers("web");
    web.commit({ Dockerfile: 'FROM berth-base/busybox:latest\nCMD ["sh", "-c", "echo cannot start: missing config; exit 1"]\n' }, "broken");
    const result = await deploy();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("health check failed for web");
    expect(result.stderr).toContain("cannot start: missing config");
    expect(await (await viaEdge(host("web"))).text()).toBe("site v2\n");
    expect(containers("web")).toEqual(before);
    // Put main back on the healthy commit: its image is already built, so later deploys change nothing.
    git(["reset", "--hard", "HEAD~1"], { cwd: web.dir });
    git(["push", "--force", "origin", "main"], { cwd: web.dir });
  });

  test("kill -9 of the control plane: the edge keeps answering; a new serve adopts it and recreates nothing", async () => {
    const edgePid = readFileSync(join(server.dataDir, "edge.pid"), "utf8").trim();
    const before = containers();
    server.proc.kill("SIGKILL");
    await server.proc.exited;
    for (let i = 0; i < 20; i++) expect((await viaEdge(host("web"))).status).toBe(200);
    await server.restart();
    expect(readFileSync(join(server.dataDir, "edge.pid"), "utf8").trim()).toBe(edgePid);
    expect((await viaEdge(host("web"))).status).toBe(200);
    const again = await deploy();
    expect(again.code).toBe(0);
    expect(containers()).toEqual(before);
  });

  test("data in a service volume survives a redeploy and a Berth restart", async () => {
    const db = containers("db")[0]!;
    docker(["exec", db, "sh", "-c", "echo kept > /data/kept.txt"]);
    await server.stop();
    await server.restart();
    const file = join(server.home, "berth.yaml");
    writeFileSync(file, projectFile().replace('"mkdir -p /data && httpd', '"mkdir -p /data && echo restarted && httpd'));
    expect((await server.run(["apply", "-f", file])).code).toBe(0);
    expect((await deploy()).code).toBe(0);
    const fresh = containers("db")[0]!;
    expect(fresh).not.toBe(db);
    expect(docker(["exec", fresh, "cat", "/data/kept.txt"]).out).toBe("kept");
  });

  test("an unrelated container and volume survive every reconcile", async () => {
    const volume = docker(["volume", "create", "--label", `berth.project=${PROJECT}`, `unrelated-${PROJECT}`]).out;
    const container = docker(["run", "-d", "--label", `berth.project=${PROJECT}`, "--label", "berth.env=dev", env.images.busybox, "sleep", "300"]).out;
    try {
      expect((await deploy()).code).toBe(0);
      expect(docker(["inspect", "--format", "{{.State.Running}}", container]).out).toBe("true");
      expect(docker(["volume", "inspect", volume]).code).toBe(0);
    } finally {
      docker(["rm", "-f", container]);
      docker(["volume", "rm", volume]);
    }
  });
});
