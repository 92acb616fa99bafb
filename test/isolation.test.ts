import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { berth, startServe } from "./support/binary.ts";

// The compiled binary against `berth serve` with no edge and no engine: every check here is
// made before anything runs.

const project = (name: string, blocks: string, environments = "  dev: {}\n") =>
  `project: ${name}\nblocks:\n${blocks}environments:\n${environments}`;

const WEBSITE = "  web:\n    kind: website\n    image: berth-base/busybox:latest\n    port: 8080\n";

let server: Awaited<ReturnType<typeof startServe>>;
let ownerToken: string;

beforeAll(async () => {
  server = await startServe();
  ownerToken = readFileSync(join(server.dataDir, "admin.token"), "utf8").trim();
});
afterAll(() => server.stop());

async function applyText(name: string, text: string) {
  const file = join(server.home, `${name}.yaml`);
  writeFileSync(file, text);
  return server.run(["apply", "-f", file]);
}

/** A token of `role` made by the owner, and a CLI environment that uses it. */
async function asRole(role: string) {
  const created = await server.run(["token", "create", `${role}-${Math.random().toString(36).slice(2, 8)}`, "--role", role, "--json"]);
  const { token, id } = JSON.parse(created.stdout) as { token: string; id: string };
  return { token, id, run: (args: string[], stdin?: string) => berth(args, { ...server.env, BERTH_URL: server.url, BERTH_TOKEN: token }, stdin) };
}

const api = (path: string, token: string, init: RequestInit = {}) =>
  fetch(`${server.url}/api${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...init.headers } });

describe("no project touches another's hostnames", () => {
  test("a domain under the base domain that is another project's generated name is refused, naming its holder", async () => {
    expect((await applyText("seca", project("seca", WEBSITE, "  stage: {}\n"))).code).toBe(0);
    const takeover = await applyText("sech", project("sech", `${WEBSITE}    domains: [web.stage.seca.localhost]\n`));
    expect(takeover.code).toBe(1);
    expect(takeover.stderr).toContain("blocks.web.domains");
    expect(takeover.stderr).toContain("web.stage.seca.localhost");
    expect(takeover.stderr).toContain('project "seca"');
    expect((await server.run(["project", "show", "sech"])).code).toBe(1);
  });

  test("a custom domain another project holds is refused, naming the project and environment", async () => {
    const owner = project("shopa", WEBSITE, "  prod:\n    blocks:\n      web:\n        domains: [shop.example.com]\n");
    expect((await applyText("shopa", owner)).code).toBe(0);
    const thief = await applyText("shopb", project("shopb", WEBSITE, "  prod:\n    blocks:\n      web:\n        domains: [shop.example.com]\n"));
    expect(thief.code).toBe(1);
    expect(thief.stderr).toContain('shop.example.com is already used by block web of project "shopa", environment prod');
  });

  test("one domain in two environments of the same project is refused; a clone leaves its source's domains behind", async () => {
    const twice = await applyText("twice", project("twice", `${WEBSITE}    domains: [twice.example.com]\n`, "  dev: {}\n  prod: {}\n"));
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain("twice.example.com");
    expect(twice.stderr).toMatch(/environment (dev|prod)/);
    const once = project("twice", WEBSITE, "  prod:\n    blocks:\n      web:\n        domains: [twice.example.com]\n");
    expect((await applyText("twice", once)).code).toBe(0);
    expect((await server.run(["env", "create", "twice", "stage", "--from", "prod"])).code).toBe(0);
    const exported = (await server.run(["export", "twice"])).stdout;
    expect(exported.match(/twice\.example\.com/g)).toHaveLength(1);
    // A block-level domain reaches every environment, so a new one would hold it twice.
    expect((await applyText("solo", project("solo", `${WEBSITE}    domains: [solo.example.com]\n`))).code).toBe(0);
    const second = await server.run(["env", "create", "solo", "qa"]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('solo.example.com is already used by block web of project "solo", environment dev');
    expect((await server.run(["env", "list", "solo"])).stdout).not.toContain("qa");
  });

  test("domains on a worker or an internal microservice are refused at apply", async () => {
    const blocks =
      "  bg:\n    kind: worker\n    image: berth-base/busybox:latest\n    domains: [bg.example.com]\n" +
      "  inner:\n    kind: microservice\n    image: berth-base/busybox:latest\n    port: 80\n    expose: internal\n    domains: [inner.example.com]\n";
    const result = await applyText("kinds", project("kinds", blocks));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("blocks.bg.domains: not used by a worker block");
    expect(result.stderr).toContain("blocks.inner.domains");
  });
});

describe("roles hold", () => {
  test("an admin can neither revoke an owner token nor create one", async () => {
    const admin = await asRole("admin");
    const owners = JSON.parse((await server.run(["token", "list", "--json"])).stdout) as { id: string; role: string; name: string }[];
    const adminToken = owners.find((t) => t.role === "owner" && t.name === "admin")!;
    const revoke = await admin.run(["token", "revoke", adminToken.id]);
    expect(revoke.code).toBe(1);
    expect(revoke.stderr).toContain("cannot revoke an owner token");
    expect((await server.run(["project", "list"])).code).toBe(0);
    const create = await admin.run(["token", "create", "mine", "--role", "owner"]);
    expect(create.code).toBe(1);
    expect((await admin.run(["token", "revoke", (await asRole("member")).id])).code).toBe(0);
  });

  test("a member cannot delete an environment with its volumes; without them it can", async () => {
    expect((await applyText("vols", project("vols", WEBSITE, "  dev: {}\n  qa: {}\n  tmp: {}\n"))).code).toBe(0);
    const member = await asRole("member");
    const purge = await member.run(["env", "delete", "vols", "qa", "--purge-volumes", "--yes"]);
    expect(purge.code).toBe(1);
    expect(purge.stderr).toContain("needs the admin role");
    expect((await server.run(["env", "list", "vols"])).stdout).toContain("qa");
    expect((await member.run(["env", "delete", "vols", "tmp", "--yes"])).code).toBe(0);
  });

  test("a viewer reading the deploy key creates nothing", async () => {
    expect((await applyText("keys", project("keys", WEBSITE))).code).toBe(0);
    const viewer = await asRole("viewer");
    const read = await api("/projects/keys/blocks/web/deploy-key", viewer.token);
    expect(read.status).toBe(404);
    expect(((await read.json()) as { detail: string }).detail).toContain("no deploy key");
    expect((await api("/projects/keys/blocks/web/deploy-key", ownerToken)).status).toBe(404);
    // The CLI creates the key on first use with a write.
    const key = await server.run(["block", "key", "keys", "web"]);
    expect(key.stdout.trim()).toMatch(/^ssh-ed25519 \S+ berth-deploy-key$/);
    const again = (await (await api("/projects/keys/blocks/web/deploy-key", viewer.token)).json()) as { publicKey: string };
    expect(again.publicKey.trim()).toBe(key.stdout.trim());
  });

  test("token reset-owner gives the machine's root owner access back, with serve running", async () => {
    const ids = JSON.parse((await server.run(["token", "list", "--json"])).stdout) as { id: string; role: string }[];
    // The owner revokes every owner token, its own last: nobody can manage tokens any more.
    const mine = (await (await api("/whoami", ownerToken)).json()) as { id: string };
    for (const t of ids.filter((t) => t.role === "owner" && t.id !== mine.id)) expect((await server.run(["token", "revoke", t.id])).code).toBe(0);
    expect((await server.run(["token", "revoke", mine.id])).code).toBe(0);
    expect((await server.run(["project", "list"])).stderr).toContain("not valid");
    const reset = await server.run(["token", "reset-owner"]);
    expect(reset.stderr).toBe("");
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain(join(server.dataDir, "admin.token"));
    ownerToken = readFileSync(join(server.dataDir, "admin.token"), "utf8").trim();
    expect(ownerToken).not.toBe("");
    const whoami = (await (await api("/whoami", ownerToken)).json()) as { role: string };
    expect(whoami.role).toBe("owner");
    expect((await server.run(["token", "list"])).code).toBe(0);
  });
});

test("token reset-owner works with serve stopped too", async () => {
  await server.stop();
  const before = readFileSync(join(server.dataDir, "admin.token"), "utf8").trim();
  const reset = await server.run(["token", "reset-owner"]);
  expect(reset.code).toBe(0);
  await server.restart();
  ownerToken = readFileSync(join(server.dataDir, "admin.token"), "utf8").trim();
  expect(ownerToken).not.toBe(before);
  expect(((await (await api("/whoami", ownerToken)).json()) as { role: string }).role).toBe("owner");
  // The token the file held before is revoked: only the file's token gives owner access.
  expect((await api("/whoami", before)).status).toBe(401);
});

describe("secrets never leak", () => {
  test("a secret with a NUL byte is refused and its value is never echoed", async () => {
    expect((await applyText("nul", project("nul", WEBSITE))).code).toBe(0);
    const value = "hunter2-\u0000-unique-value";
    const res = await api("/projects/nul/environments/dev/blocks/web/vars", ownerToken, {
      method: "PUT",
      body: JSON.stringify({ vars: { TOKEN: value }, secret: true }),
    });
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toContain("control character");
    expect(body).not.toContain("hunter2");
    expect((await server.run(["vars", "list", "nul", "dev", "web"])).stdout).not.toContain("TOKEN");
    const fromStdin = await server.run(["vars", "set", "nul", "dev", "web", "TOKEN", "--secret"], "bell-\u0007-unique\n");
    expect(fromStdin.code).toBe(1);
    expect(fromStdin.stderr).toContain("control character");
    expect(fromStdin.stderr).not.toContain("bell-");
  });

  test("a control character in a berth.yaml env value is refused", async () => {
    const result = await applyText("ctl", project("ctl", `${WEBSITE}    env: { GREETING: "hi\\u0000there" }\n`));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("blocks.web.env.GREETING");
    expect(result.stderr).toContain("control character");
  });
});

describe("apply -f says what is wrong with the file in words", () => {
  test("a directory", async () => {
    const dir = join(server.home, "a-folder");
    mkdirSync(dir, { recursive: true });
    const result = await server.run(["apply", "-f", dir]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`error: ${dir} is a directory, not a project file`);
  });

  test("a huge file, and huge input on stdin", async () => {
    const file = join(server.home, "huge.yaml");
    writeFileSync(file, `project: huge\n# ${"x".repeat(3 * 1024 * 1024)}\n`);
    const result = await server.run(["apply", "-f", file]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`error: ${file} is 3.0 MB; the limit is 1 MB`);
    const piped = await server.run(["apply", "-f", "-"], `project: huge\n# ${"x".repeat(3 * 1024 * 1024)}\n`);
    expect(piped.code).toBe(1);
    expect(piped.stderr.trim()).toBe("error: stdin is larger than 1 MB, the limit for a project file");
  });
});

describe("open log streams end with their token", () => {
  test("a revoked token's open build log stream is closed", async () => {
    // A git server that accepts and never answers keeps the build, and so its log stream, open.
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const blocks = `  web:\n    kind: website\n    git: { url: "http://127.0.0.1:${silent.port}/app.git" }\n    port: 8080\n`;
      expect((await applyText("streams", project("streams", blocks))).code).toBe(0);
      const started = await api("/projects/streams/blocks/web/builds", ownerToken, { method: "POST", body: "{}" });
      expect(started.status).toBe(202);
      const { id } = (await started.json()) as { id: number };
      const viewer = await asRole("viewer");
      const stream = await api(`/builds/${id}/log/stream`, viewer.token);
      expect(stream.status).toBe(200);
      const reader = stream.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      expect(first).toContain("event: log");
      expect((await server.run(["token", "revoke", viewer.id])).code).toBe(0);
      let text = first;
      const closed = (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return true;
          text += new TextDecoder().decode(value);
        }
      })();
      // Generous: the stream re-checks its token every few seconds.
      const outcome = await Promise.race([closed, Bun.sleep(15_000).then(() => false)]);
      if (!outcome) await reader.cancel();
      expect(outcome).toBe(true);
      expect(text).toContain("event: denied");
      expect(text).not.toContain("event: end");
    } finally {
      silent.stop(true);
    }
  });
});

describe("a failed release leaves nothing of its own running (real engine)", () => {
  const name = `clash${crypto.randomUUID().slice(0, 6)}`;
  const docker = (args: string[]) => Bun.spawnSync(["docker", ...args], { stdout: "pipe", stderr: "pipe" }).stdout.toString().trim();
  const containers = () => docker(["ps", "-aq", "--filter", `label=berth.project=${name}`]).split("\n").filter(Boolean);
  afterAll(() => {
    const ids = containers();
    if (ids.length) docker(["rm", "-f", ...ids]);
    docker(["network", "rm", `berth-${name}-dev`]);
  });

  test("a route conflict fails the deploy naming the holder, and removes the containers it started", async () => {
    const blocks =
      "  web:\n    kind: website\n    image: berth-base/busybox:latest\n" +
      '    command: [sh, -c, "mkdir -p /www && echo hi > /www/index.html && httpd -f -p 8080 -h /www"]\n' +
      `    port: 8080\n    domains: [${name}.example.com]\n`;
    expect((await applyText(name, project(name, blocks))).code).toBe(0);
    // A route held from before domains were checked at apply, as an older install may have one.
    const db = new Database(join(server.dataDir, "berth.db"));
    db.run(
      "INSERT INTO edge_routes (host, path_prefix, project, environment, block, auth, upstreams, updated_at) VALUES (?, '', 'elder', 'prod', 'site', 'none', '[]', ?)",
      [`${name}.example.com`, new Date().toISOString()],
    );
    db.close();
    const deploy = await server.run(["deploy", name, "dev", "--wait"]);
    expect(deploy.code).toBe(1);
    expect(deploy.stdout + deploy.stderr).toContain(`${name}.example.com is already routed to block site of project "elder", environment prod`);
    expect(deploy.stdout + deploy.stderr).not.toContain("UNIQUE constraint");
    expect(containers()).toEqual([]);
  }, 120_000);
});
