import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { berth, startServe } from "./support/binary.ts";
import { eventually } from "./support/eventually.ts";
import { docker } from "./support/sh.ts";
import { loadTestEnv } from "./support/test-env.ts";

setDefaultTimeout(120_000);
const env = loadTestEnv();
const PROJECT = `backup${crypto.randomUUID().slice(0, 6)}`;
let server: Awaited<ReturnType<typeof startServe>>;

// The page shows a secret variable, so a site that answers proves the secret decrypted after the restore.
const projectFile = () => `project: ${PROJECT}
blocks:
  web:
    kind: website
    image: ${env.images.busybox}
    command: [sh, -c, "mkdir -p /www && echo \\"$GREETING\\" > /www/index.html && httpd -f -p 8080 -h /www"]
    port: 8080
environments:
  dev: {}
`;

const site = () => fetch(`${server.edgeUrl}/`, { headers: { Host: `web.dev.${PROJECT}.localhost` } });
const ok = (run: { code: number; stderr: string }) => expect([run.code, run.stderr]).toEqual([0, ""]);

beforeAll(async () => {
  server = await startServe([], { backupSchedule: "off" });
  const file = join(server.home, "berth.yaml");
  writeFileSync(file, projectFile());
  ok(await server.run(["apply", "-f", file]));
  ok(await server.run(["vars", "set", PROJECT, "dev", "web", "GREETING=hello from a secret", "--secret"]));
  ok(await server.run(["vars", "set", PROJECT, "dev", "web", "PLAIN=visible"]));
  ok(await server.run(["token", "create", "ci-backup", "--role", "viewer"]));
  ok(await server.run(["deploy", PROJECT, "dev"]));
}, 180_000);

afterAll(async () => {
  await server?.close();
  const ids = docker(["ps", "-aq", "--filter", `label=berth.project=${PROJECT}`]).out.split("\n").filter(Boolean);
  if (ids.length) docker(["rm", "-f", ...ids]);
  docker(["network", "rm", `berth-${PROJECT}-dev`]);
});

describe("backup and restore of a whole install", () => {
  test("backup → project delete → restore → start: the project, its variables, tokens and releases are back and the site answers again", async () => {
    expect(await (await site()).text()).toBe("hello from a secret\n");
    const passphrase = join(server.home, "passphrase");
    writeFileSync(passphrase, "a long passphrase\n", { mode: 0o600 });
    const archive = join(server.home, "site.tar.gz.enc");
    const created = await server.run(["backup", "create", "--to", archive, "--passphrase-file", passphrase, "--json"]);
    ok(created);
    const written = JSON.parse(created.stdout);
    expect(written).toMatchObject({ path: archive, encrypted: true });
    expect(written.manifest.files.map((f: { path: string }) => f.path)).toEqual(expect.arrayContaining(["berth.db", "secret.key", "admin.token"]));
    expect(readFileSync(archive).includes(Buffer.from("hello from a secret"))).toBe(false);

    ok(await server.run(["project", "delete", PROJECT, "--yes"]));
    await eventually(async () => (await site()).status === 404, 30_000, "the deleted site stops answering");

    // While serve runs, the state is its: a restore is refused and changes nothing.
    const refused = await server.run(["backup", "restore", archive, "--passphrase-file", passphrase]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("is running");
    expect(refused.stderr).toContain("stop it first");
    expect((await server.run(["project", "list"])).stdout).not.toContain(PROJECT);

    await server.stop();
    const wrong = join(server.home, "wrong");
    writeFileSync(wrong, "not it\n");
    const badPass = await server.run(["backup", "restore", archive, "--passphrase-file", wrong]);
    expect([badPass.code, badPass.stderr.trim()]).toEqual([1, "error: wrong passphrase, or the backup file is damaged"]);

    const restored = await server.run(["backup", "restore", archive, "--passphrase-file", passphrase]);
    ok(restored);
    expect(restored.stdout).toContain(`into ${server.dataDir}`);
    await server.restart();

    const projects = await server.run(["project", "list"]);
    expect(projects.stdout).toContain(PROJECT);
    const vars = JSON.parse((await server.run(["vars", "list", PROJECT, "dev", "web", "--json"])).stdout) as { name: string; value: string; secret: boolean }[];
    expect(vars.find((v) => v.name === "PLAIN")?.value).toBe("visible");
    expect(vars.find((v) => v.name === "GREETING")?.secret).toBe(true);
    expect((await server.run(["token", "list"])).stdout).toContain("ci-backup");
    const releases = JSON.parse((await server.run(["releases", PROJECT, "dev", "--json"])).stdout) as { number: number }[];
    expect(releases.map((r) => r.number)).toContain(1);

    // The start after a restore brings the live release back up; the secret decrypts with the restored key.
    await eventually(async () => (await site()).status === 200, 90_000, "the restored site answers through the edge");
    expect(await (await site()).text()).toBe("hello from a secret\n");
    expect(existsSync(join(server.dataDir, "restored.json"))).toBe(false);
  });

  test("a backup file that was changed is refused with nothing restored", async () => {
    const archive = join(server.home, "plain.tar.gz");
    ok(await server.run(["backup", "create", "--to", archive]));
    const data = readFileSync(archive);
    data[data.length - 20]! ^= 0xff;
    const damaged = join(server.home, "damaged.tar.gz");
    writeFileSync(damaged, data);
    await server.stop();
    try {
      const run = await berth(["backup", "restore", damaged, "--config", join(server.home, "config.yaml")], server.env);
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stderr).toMatch(/not a Berth backup|damaged|does not match/);
      expect(existsSync(join(server.dataDir, "restored.json"))).toBe(false);
    } finally {
      await server.restart();
    }
  });
});
