import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServe } from "./support/binary.ts";
import { eventually } from "./support/eventually.ts";
import { docker } from "./support/sh.ts";
import { loadTestEnv } from "./support/test-env.ts";

// Each test deploys and waits on databases; at the load averages of a shared CI machine (30+) one took 105 s.
setDefaultTimeout(300_000);

const env = loadTestEnv();
const suffix = crypto.randomUUID().slice(0, 6);
const NOTES = `notes${suffix}`;
const VISITS = `visits${suffix}`;
const BROKEN = `broken${suffix}`;
const MARIA = `maria${suffix}`;
let server: Awaited<ReturnType<typeof startServe>>;

const app = (name: string) => JSON.stringify(readFileSync(join(import.meta.dir, "fixtures", "catalog", name), "utf8"));

const notesFile = `project: ${NOTES}
blocks:
  db:
    kind: service
    template: postgres
    version: "15"
    # New Year's morning only: the backups this test counts are its own.
    backup: { schedule: "0 3 1 1 *", keep: 2 }
  web:
    kind: website
    image: ${env.images.python}
    # The program is longer than a command argument may be: it comes in a variable.
    command: [python3, -c, "import os; exec(os.environ['APP'])"]
    port: 8000
    env:
      APP: ${app("notes.py")}
      DATABASE_URL: \${{ db.url }}
`;

const visitsFile = `project: ${VISITS}
blocks:
  cache:
    kind: service
    template: redis
  web:
    kind: website
    image: ${env.images.python}
    command: [python3, -c, ${app("counter.py")}]
    port: 8000
    env:
      REDIS_URL: \${{ cache.url }}
`;

const site = (project: string, path = "/", method = "GET") =>
  fetch(`${server.edgeUrl}${path}`, { method, headers: { Host: `web.dev.${project}.localhost` } }).then(async (r) => ({ status: r.status, text: await r.text() }));

async function applyAndDeploy(project: string, text: string) {
  const file = join(server.home, `${project}.yaml`);
  writeFileSync(file, text);
  const applied = await server.run(["apply", "-f", file]);
  expect(applied.stderr).toBe("");
  const deployed = await server.run(["deploy", project, "dev"]);
  expect(deployed.stdout).toContain("deployed");
  expect(deployed.code).toBe(0);
}

const backups = async () => JSON.parse((await server.run(["service", "backups", NOTES, "dev", "db", "--json"])).stdout) as { id: string; bytes: number; sha256: string; file: string }[];

beforeAll(async () => {
  server = await startServe([], {}, {
    BERTH_CATALOG_IMAGE_POSTGRES: env.services.postgres,
    BERTH_CATALOG_IMAGE_REDIS: env.services.redis,
    BERTH_CATALOG_IMAGE_MARIADB: env.services.mariadb,
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  for (const project of [NOTES, VISITS, MARIA]) {
    const ids = docker(["ps", "-aq", "--filter", `label=berth.project=${project}`]).out.split("\n").filter(Boolean);
    if (ids.length) docker(["rm", "-f", ...ids]);
    docker(["network", "rm", `berth-${project}-dev`]);
    const volumes = docker(["volume", "ls", "-q", "--filter", `label=berth.project=${project}`]).out.split("\n").filter(Boolean);
    if (volumes.length) docker(["volume", "rm", "-f", ...volumes]);
  }
});

describe("the service catalog on the compiled binary and the real engine", () => {
  test.concurrent("a website reads and writes postgres through ${{ db.url }} after one apply and deploy; backups restore its rows", async () => {
    await applyAndDeploy(NOTES, notesFile);
    expect(await site(NOTES, "/add?text=first", "POST")).toEqual({ status: 200, text: "ok\n" });
    expect(await site(NOTES, "/add?text=second", "POST")).toEqual({ status: 200, text: "ok\n" });
    expect(await site(NOTES)).toEqual({ status: 200, text: "first\nsecond\n" });

    // The reference is shown as written; the generated password only to an admin who asks.
    const listed = await server.run(["vars", "list", NOTES, "dev", "web"]);
    expect(listed.stdout).toContain("${{ db.url }}");
    expect(listed.stdout).not.toContain("postgresql://");
    const masked = await server.run(["vars", "get", NOTES, "dev", "db", "POSTGRES_PASSWORD"]);
    expect(masked.stdout.trim()).toBe("••••••••");
    const password = (await server.run(["vars", "get", NOTES, "dev", "db", "POSTGRES_PASSWORD", "--reveal"])).stdout.trim();
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);

    // The schedule is listed with the environment's jobs, under the run name backups get.
    const token = readFileSync(join(server.dataDir, "admin.token"), "utf8").trim();
    const overview = (await (await fetch(`${server.url}/api/projects/${NOTES}/environments/dev/jobs`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { jobs: { name: string; schedule: string; nextRun: string }[] };
    expect(overview.jobs.map((j) => [j.name, j.schedule])).toEqual([["db-backup", "0 3 1 1 *"]]);
    expect(overview.jobs[0]!.nextRun).toMatch(/-01-01T03:00:00\.000Z$/);

    const taken = await server.run(["service", "backup", NOTES, "dev", "db"]);
    expect([taken.code, taken.stderr]).toEqual([0, ""]);
    expect(taken.stdout).toMatch(/backup \d{8}T\d{6}Z: .* compressed, sha256 [0-9a-f]{64}/);
    const [backup] = await backups();
    expect(backup!.bytes).toBeGreaterThan(0);
    expect(new Bun.CryptoHasher("sha256").update(readFileSync(backup!.file)).digest("hex")).toBe(backup!.sha256);
    expect(new TextDecoder().decode(Bun.gunzipSync(readFileSync(backup!.file)))).toContain("second");

    expect((await site(NOTES, "/clear", "POST")).status).toBe(200);
    expect(await site(NOTES)).toEqual({ status: 200, text: "" });
    const refused = await server.run(["service", "restore", NOTES, "dev", "db", backup!.id]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--yes");
    const restored = await server.run(["service", "restore", NOTES, "dev", "db", backup!.id, "--yes"]);
    expect(restored.stderr).toBe("");
    expect(restored.stdout).toContain("web stopped meanwhile");
    await eventually(async () => (await site(NOTES)).text === "first\nsecond\n", 30_000, "the restored rows served again");

    // keep: 2: three backups leave the two newest.
    for (let i = 0; i < 2; i++) expect((await server.run(["service", "backup", NOTES, "dev", "db"])).code).toBe(0);
    const kept = await backups();
    expect(kept).toHaveLength(2);
    expect(kept.map((b) => b.id)).not.toContain(backup!.id);
    const runs = JSON.parse((await server.run(["job", "runs", NOTES, "dev", "db-backup", "--json"])).stdout) as { status: string }[];
    expect(runs.map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded"]);

    // A new password: set in the database, stored, and the website restarted with it in one release.
    const rotated = await server.run(["service", "rotate-password", NOTES, "dev", "db"]);
    expect([rotated.code, rotated.stderr]).toEqual([0, ""]);
    expect(rotated.stdout).toContain("restarts db, web");
    const renewed = (await server.run(["vars", "get", NOTES, "dev", "db", "POSTGRES_PASSWORD", "--reveal"])).stdout.trim();
    expect(renewed).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(renewed).not.toBe(password);
    expect(await site(NOTES)).toEqual({ status: 200, text: "first\nsecond\n" });
  });

  test.concurrent("a redis-backed counter keeps counting across a redeploy", async () => {
    await applyAndDeploy(VISITS, visitsFile);
    expect(await site(VISITS)).toEqual({ status: 200, text: "1\n" });
    expect(await site(VISITS)).toEqual({ status: 200, text: "2\n" });
    const before = docker(["ps", "-q", "--filter", `label=berth.project=${VISITS}`, "--filter", "label=berth.block=cache"]).out.trim();
    const restarted = await server.run(["restart", VISITS, "dev"]);
    expect(restarted.code).toBe(0);
    const after = docker(["ps", "-q", "--filter", `label=berth.project=${VISITS}`, "--filter", "label=berth.block=cache"]).out.trim();
    expect(after).not.toBe(before);
    expect(await site(VISITS)).toEqual({ status: 200, text: "3\n" });

    // A snapshot taken at 3 and restored after a 4th visit: the next visit counts 4 again.
    expect((await server.run(["service", "backup", VISITS, "dev", "cache"])).code).toBe(0);
    expect(await site(VISITS)).toEqual({ status: 200, text: "4\n" });
    const [snapshot] = JSON.parse((await server.run(["service", "backups", VISITS, "dev", "cache", "--json"])).stdout) as { id: string }[];
    const restored = await server.run(["service", "restore", VISITS, "dev", "cache", snapshot!.id, "--yes"]);
    expect([restored.code, restored.stderr]).toEqual([0, ""]);
    // The website was stopped meanwhile: the first visit it answers after its start counts.
    let first = "";
    await eventually(async () => {
      const answer = await site(VISITS);
      first = answer.text;
      return answer.status === 200;
    }, 30_000, "the counter served again");
    expect(first).toBe("4\n");
  });

  test.concurrent("a mariadb service gets its generated credentials; its dump restores a dropped table; a downgrade or an unasked major upgrade is refused", async () => {
    await applyAndDeploy(MARIA, `project: ${MARIA}\nblocks:\n  db: { kind: service, template: mariadb, version: "10.11" }\n`);
    // As the app user, over TCP, with the generated password the service got.
    const sql = (statement: string) => server.run(["exec", MARIA, "dev", "db", "--", "sh", "-c", `MYSQL_PWD="$MARIADB_PASSWORD" mariadb -h 127.0.0.1 -u"$MARIADB_USER" "$MARIADB_DATABASE" -N -e "${statement}"`]);
    await eventually(async () => (await sql("SELECT 1")).code === 0, 30_000, "mariadb answering");
    expect((await sql("CREATE TABLE t (x INT); INSERT INTO t VALUES (42)")).code).toBe(0);
    expect((await server.run(["service", "backup", MARIA, "dev", "db"])).code).toBe(0);
    const [dump] = JSON.parse((await server.run(["service", "backups", MARIA, "dev", "db", "--json"])).stdout) as { id: string; file: string }[];
    expect(new TextDecoder().decode(Bun.gunzipSync(readFileSync(dump!.file)))).toMatch(/INSERT INTO `t` VALUES\s*\(42\)/);
    expect((await sql("DROP TABLE t")).code).toBe(0);
    expect((await server.run(["service", "restore", MARIA, "dev", "db", dump!.id, "--yes"])).code).toBe(0);
    expect((await sql("SELECT x FROM t")).stdout).toBe("42\n");

    // The data was written by 10.11: an older server is refused, a new major one needs --allow-major.
    for (const [version, refusal] of [["10.6", "mariadb 10.6 is older than the live 10.11"], ["11.4", "mariadb 10.11 → 11.4 is a major upgrade"]]) {
      writeFileSync(join(server.home, `${MARIA}.yaml`), `project: ${MARIA}\nblocks:\n  db: { kind: service, template: mariadb, version: "${version}" }\n`);
      expect((await server.run(["apply", "-f", join(server.home, `${MARIA}.yaml`)])).code).toBe(0);
      const refused = await server.run(["deploy", MARIA, "dev"]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(refusal!);
    }
    expect((await sql("SELECT x FROM t")).stdout).toBe("42\n");
  });

  test.concurrent("an export the service does not have is refused at apply, naming the path", async () => {
    const file = join(server.home, "broken.yaml");
    writeFileSync(file, `project: ${BROKEN}
blocks:
  db: { kind: service, template: postgres }
  web:
    kind: worker
    image: ${env.images.busybox}
    env: { DATABASE_URL: "\${{ db.nope }}" }
`);
    const applied = await server.run(["apply", "-f", file]);
    expect(applied.code).not.toBe(0);
    expect(applied.stderr).toContain(`blocks.web.env.DATABASE_URL: service "db" has no export "nope"`);
    expect((await server.run(["project", "list"])).stdout).not.toContain(BROKEN);
  });

  test.concurrent("berth catalog lists every template with its versions and exports", async () => {
    const listed = JSON.parse((await server.run(["catalog", "--json"])).stdout) as { name: string; versions: string[]; exports: string[] }[];
    expect(listed.map((t) => t.name)).toEqual(["postgres", "mysql", "mariadb", "redis", "mongodb", "kafka", "rabbitmq", "minio"]);
    expect(listed.find((t) => t.name === "postgres")!.exports).toEqual(["host", "port", "user", "password", "database", "url"]);
  });
});
