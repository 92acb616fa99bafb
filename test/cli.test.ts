import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { berth, freePort, freshBinary, startServe, waitForHealth } from "./support/binary.ts";

const EXAMPLE = join(import.meta.dir, "fixtures/example.berth.yaml");
const THREE_MISTAKES = `project: todo
blocks:
  api:
    kind: microservice
    image: node:20
    port: 99999
    exposee: public
  web:
    kind: websit
    image: nginx:1
`;

let server: Awaited<ReturnType<typeof startServe>>;
beforeAll(async () => {
  server = await startServe();
});
afterAll(() => server.stop());

describe("berth CLI (compiled binary against berth serve)", () => {
  test("--version, --help and VERB --help", async () => {
    const version = await server.run(["--version"]);
    expect(version.stdout).toMatch(/^berth \d+\.\d+\.\d+/);
    const help = await server.run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("apply");
    expect(help.stdout).toContain("vars set");
    const verb = await server.run(["apply", "--help"]);
    expect(verb.stdout).toContain("Usage: berth apply");
    expect(verb.stdout).toContain("--dry-run");
  });

  test("serve created the owner token with mode 0600, and the API wants it", async () => {
    const tokenFile = join(server.dataDir, "admin.token");
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const anonymous = await fetch(`${server.url}/api/projects`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("content-type")).toBe("application/problem+json");
    const token = readFileSync(tokenFile, "utf8").trim();
    const authorised = await fetch(`${server.url}/api/projects`, { headers: { Authorization: `Bearer ${token}` } });
    expect(authorised.status).toBe(200);
  });

  test("apply the documented example, again (no changes), export and re-apply (no changes)", async () => {
    const first = await server.run(["apply", "-f", EXAMPLE]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("+ block api");
    expect(first.stdout).toContain("+ prod/web");
    const again = await server.run(["apply", "-f", EXAMPLE]);
    expect(again.stdout.trim()).toBe("project todo: no changes");
    const exported = await server.run(["export", "todo"]);
    expect(exported.code).toBe(0);
    const file = join(server.home, "exported.yaml");
    writeFileSync(file, exported.stdout);
    const reapply = await server.run(["apply", "-f", file, "--dry-run"]);
    expect(reapply.stdout.trim()).toBe("project todo: no changes");
  });

  test("a file with three mistakes: exit 1, all three paths, nothing written", async () => {
    const file = join(server.home, "bad.yaml");
    writeFileSync(file, THREE_MISTAKES);
    const before = (await server.run(["export", "todo"])).stdout;
    const result = await server.run(["apply", "-f", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("blocks.api.port: expected a number from 1 to 65535");
    expect(result.stderr).toContain('blocks.api.exposee: unknown key (did you mean "expose"?)');
    expect(result.stderr).toContain('blocks.web.kind: expected one of website, microservice, worker, service, job (did you mean "website"?)');
    expect((await server.run(["export", "todo"])).stdout).toBe(before);
  });

  test("a dry run prints the plan and changes nothing", async () => {
    const file = join(server.home, "changed.yaml");
    writeFileSync(file, readFileSync(EXAMPLE, "utf8").replace("port: 8000", "port: 8001"));
    const plan = await server.run(["apply", "-f", file, "--dry-run"]);
    expect(plan.stdout).toContain("~ block api: port");
    expect(plan.stdout).toContain("dry run, nothing applied");
    expect((await server.run(["apply", "-f", EXAMPLE])).stdout.trim()).toBe("project todo: no changes");
  });

  test("a secret is never in the DB file in clear, and is listed masked", async () => {
    const set = await server.run(["vars", "set", "todo", "prod", "api", "DB_PASSWORD=sw0rdf1sh-unique", "--secret"]);
    expect(set.code).toBe(0);
    const fromStdin = await server.run(["vars", "set", "todo", "prod", "api", "API_KEY", "--secret"], "stdin-s3cret-unique\n");
    expect(fromStdin.code).toBe(0);
    await server.run(["vars", "set", "todo", "prod", "api", "PLAIN=visible"]);
    const list = await server.run(["vars", "list", "todo", "prod", "api"]);
    expect(list.stdout).toMatch(/DB_PASSWORD\s+•+\s+yes\s+set/);
    expect(list.stdout).toMatch(/PLAIN\s+visible\s+no\s+set/);
    expect(list.stdout).toMatch(/LOG_LEVEL\s+info\s+no\s+file/);
    const files = readdirSync(server.dataDir, { recursive: true, encoding: "utf8" }).filter((f) => statSync(join(server.dataDir, f)).isFile());
    expect(files).toContain("berth.db");
    for (const name of files) {
      const bytes = readFileSync(join(server.dataDir, name));
      expect(bytes.includes("sw0rdf1sh-unique")).toBe(false);
      expect(bytes.includes("stdin-s3cret-unique")).toBe(false);
    }
    const json = JSON.parse((await server.run(["vars", "list", "todo", "prod", "api", "--json"])).stdout) as { name: string; value: string }[];
    expect(json.find((v) => v.name === "API_KEY")!.value).not.toContain("stdin");
  });

  test("vars import from a .env file, and unset", async () => {
    const file = join(server.home, "prod.env");
    writeFileSync(file, "# comment\nA=1\nexport B=\"two words\"\n");
    expect((await server.run(["vars", "import", "todo", "dev", "web", "-f", file])).code).toBe(0);
    const list = await server.run(["vars", "list", "todo", "dev", "web", "--json"]);
    expect(JSON.parse(list.stdout)).toContainEqual({ name: "B", value: "two words", secret: false, source: "set" });
    expect((await server.run(["vars", "unset", "todo", "dev", "web", "A", "B"])).stdout).toContain("removed 2");
  });

  test("projects, environments and blocks", async () => {
    expect((await server.run(["project", "list"])).stdout).toMatch(/todo\s+5\s+dev,prod/);
    expect((await server.run(["env", "create", "todo", "staging", "--from", "prod"])).code).toBe(0);
    const envs = JSON.parse((await server.run(["env", "list", "todo", "--json"])).stdout) as { name: string; ref: string | null }[];
    expect(envs.map((e) => [e.name, e.ref])).toEqual([["dev", null], ["prod", "main"], ["staging", "main"]]);
    const apply = await server.run(["apply", "-f", EXAMPLE]);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('environment "staging" exists but is not in the file');
    expect((await server.run(["env", "delete", "todo", "staging", "--yes"])).code).toBe(0);
    expect((await server.run(["block", "list", "todo"])).stdout).toMatch(/nightly\s+job\s+busybox:1\.36/);
  });

  test("usage errors exit 2; failures exit 1 with one line", async () => {
    expect((await server.run(["frobnicate"])).code).toBe(2);
    expect((await server.run(["apply"])).code).toBe(2);
    expect((await server.run(["vars", "list", "todo"])).code).toBe(2);
    expect((await server.run(["project", "list", "--bogus"])).code).toBe(2);
    const missing = await server.run(["project", "show", "ghost"]);
    expect([missing.code, missing.stderr.trim()]).toEqual([1, 'error: project "ghost" not found']);
  });

  test("tokens: create once, a viewer cannot change, revoke", async () => {
    const created = await server.run(["token", "create", "reader", "--role", "viewer", "--json"]);
    const { token, id } = JSON.parse(created.stdout) as { token: string; id: string };
    const asViewer = { ...server.env, BERTH_URL: server.url, BERTH_TOKEN: token };
    expect((await berth(["project", "list"], asViewer)).code).toBe(0);
    const denied = await berth(["env", "create", "todo", "qa"], asViewer);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain("needs the member role");
    expect((await server.run(["token", "list"])).stdout).not.toContain(token);
    await server.run(["token", "revoke", id]);
    expect((await berth(["project", "list"], asViewer)).stderr).toContain("not valid");
  });

  test("berth login stores a remote API, used from anywhere", async () => {
    const token = readFileSync(join(server.dataDir, "admin.token"), "utf8").trim();
    const elsewhere = { PATH: server.env.PATH, HOME: mkdtempSync(join(tmpdir(), "berth-home-")), BERTH_DATA_DIR: join(tmpdir(), "berth-nowhere") };
    const before = await berth(["project", "list"], elsewhere);
    expect(before.code).toBe(1);
    expect(before.stderr).toContain("berth login");
    const login = await berth(["login", server.url, "--token", token], elsewhere);
    expect(login.code).toBe(0);
    expect(statSync(join(elsewhere.HOME, ".config/berth/credentials.json")).mode & 0o777).toBe(0o600);
    expect((await berth(["project", "list"], elsewhere)).stdout).toContain("todo");
    expect((await berth(["login", server.url, "--token", "berth_bad_token"], elsewhere)).code).toBe(1);
  });

  test("a bad setting stops the start with one line naming it", async () => {
    const result = await berth(["serve"], { ...server.env, BERTH_API_LISTEN: "everywhere" });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe("config: BERTH_API_LISTEN: expected host:port such as 127.0.0.1:7070");
    const file = join(server.home, "berth.config.yaml");
    writeFileSync(file, "domian: example.com\n");
    const typo = await berth(["serve", "--config", file], server.env);
    expect(typo.stderr).toContain("domian: unknown setting");
  });

  test("berth migrate on an up-to-date database applies nothing", async () => {
    expect((await server.run(["migrate"])).stdout.trim()).toBe("the database is up to date");
  });
});

test("the binary alone in an empty folder starts, migrates a new data dir and answers /healthz", async () => {
  const folder = mkdtempSync(join(tmpdir(), "berth-alone-"));
  copyFileSync(freshBinary(), join(folder, "berth"));
  Bun.spawnSync(["chmod", "+x", join(folder, "berth")]);
  const port = freePort();
  const proc = Bun.spawn([join(folder, "berth"), "serve", "--no-edge", "--fresh"], {
    cwd: folder,
    env: { PATH: "/usr/bin:/bin", HOME: folder, BERTH_DATA_DIR: join(folder, "data"), BERTH_API_LISTEN: `127.0.0.1:${port}` },
    stdout: "pipe",
    stderr: "pipe",
  });
  try {
    await waitForHealth(`http://127.0.0.1:${port}`);
    expect(readdirSync(join(folder, "data")).sort()).toEqual(expect.arrayContaining(["admin.token", "berth.db", "secret.key"]));
    expect(statSync(join(folder, "data/secret.key")).mode & 0o777).toBe(0o600);
  } finally {
    proc.kill();
    await proc.exited;
  }
  const out = await new Response(proc.stdout).text();
  expect(out).toContain("migration(s) applied");
});
