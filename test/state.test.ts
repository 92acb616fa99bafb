import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { berth, BINARY, freePort, startServe, waitForHealth } from "./support/binary.ts";
import { docker } from "./support/sh.ts";

const SUFFIX = crypto.randomUUID().slice(0, 6);
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});


const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

/** An environment for `berth serve` on its own data dir and ports. */
function serveEnv(dataDir: string) {
  const home = mkdtempSync(join(tmpdir(), "berth-state-home-"));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const port = freePort();
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    BERTH_DATA_DIR: dataDir,
    BERTH_API_LISTEN: `127.0.0.1:${port}`,
    BERTH_EDGE_LISTEN: `127.0.0.1:${freePort()}`,
    BERTH_EDGE_METRICS_LISTEN: `127.0.0.1:${freePort()}`,
    BERTH_EDGE_HTTPS_LISTEN: `127.0.0.1:${freePort()}`,
  };
  return { env, url: `http://127.0.0.1:${port}` };
}

/** Starts serve and waits until it answers; stopped at the end of the file. */
async function serveUntilHealthy(args: string[], env: Record<string, string>, url: string) {
  const proc = Bun.spawn([BINARY, "serve", "--no-edge", ...args], { env, stdout: "pipe", stderr: "pipe" });
  cleanups.push(async () => {
    proc.kill("SIGTERM");
    await proc.exited;
  });
  await waitForHealth(url);
  return proc;
}

const projectFile = (name: string, url = "") =>
  url
    ? `project: ${name}\nblocks:\n  web:\n    kind: website\n    git: { url: "${url}" }\n    port: 8080\n`
    : `project: ${name}\nblocks:\n  web:\n    kind: website\n    image: berth-base/busybox:latest\n    port: 8080\n`;

describe("state that survives a crash", () => {
  test("a damaged WAL makes serve refuse to start, naming the file and the backup, and mint no new owner", async () => {
    const server = await startServe();
    for (let i = 0; i < 6; i++) {
      const file = join(server.home, `p${i}.yaml`);
      writeFileSync(file, projectFile(`crash${i}`));
      expect((await server.run(["apply", "-f", file])).stderr).toBe("");
    }
    server.proc.kill("SIGKILL");
    await server.proc.exited;
    const db = join(server.dataDir, "berth.db");
    const wal = readFileSync(`${db}-wal`);
    const frameSize = 24 + new DataView(wal.buffer, wal.byteOffset).getUint32(8);
    const frames = Math.floor((wal.length - 32) / frameSize);
    expect(frames).toBeGreaterThan(4);
    // One flipped byte in the page data of a frame in the middle, as a bad disk sector would.
    const at = 32 + Math.floor(frames / 2) * frameSize + 24 + 200;
    wal[at] = wal[at]! ^ 0xff;
    writeFileSync(`${db}-wal`, wal);
    const token = readFileSync(join(server.dataDir, "admin.token"), "utf8");

    const run = await berth(["serve", "--no-edge"], server.env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`the state database's write-ahead log ${db}-wal is damaged`);
    expect(run.stderr).toContain("berth backup restore");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(readFileSync(join(server.dataDir, "admin.token"), "utf8")).toBe(token);
    // The evidence is left as it was, for a restore or for a decision to accept the loss.
    expect(readFileSync(`${db}-wal`).equals(wal)).toBe(true);
  }, 60_000);

  test("a damaged database file makes serve refuse to start", async () => {
    const server = await startServe();
    await server.stop();
    const db = join(server.dataDir, "berth.db");
    const bytes = readFileSync(db);
    bytes.fill(0x5a, 4096 * 2, 4096 * 4); // two pages of the schema's tables overwritten
    writeFileSync(db, bytes);
    const run = await berth(["serve", "--no-edge"], server.env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`the state database ${db}`);
    expect(run.stderr).toContain("not starting");
  }, 30_000);
});

describe("an empty state beside Berth's containers", () => {
  const project = `orphan${SUFFIX}`;
  let container = "";

  test("serve refuses to start as a fresh install, naming --adopt-orphans and --fresh; each choice starts and leaves them running", async () => {
    const created = docker(["create", "--label", "berth.managed=true", "--label", `berth.project=${project}`, "--label", "berth.env=prod", "berth-base/busybox:latest", "sleep", "600"]);
    expect(created.code).toBe(0);
    container = created.out;
    cleanups.push(() => docker(["rm", "-f", container]));

    const dataDir = join(mkdtempSync(join(tmpdir(), "berth-orphans-")), "data");
    cleanups.push(() => rmSync(join(dataDir, ".."), { recursive: true, force: true }));
    const { env, url } = serveEnv(dataDir);
    const refused = await berth(["serve", "--no-edge"], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("refusing to start as a fresh install");
    expect(refused.stderr).toContain(`${project}/prod`);
    expect(refused.stderr).toContain("berth backup restore");
    expect(refused.stderr).toContain("--adopt-orphans");
    expect(refused.stderr).toContain("--fresh");
    expect(existsSync(join(dataDir, "admin.token"))).toBe(false);

    const both = await berth(["serve", "--no-edge", "--fresh", "--adopt-orphans"], env);
    expect(both.code).toBe(2);

    const adopting = await serveUntilHealthy(["--adopt-orphans"], env, url);
    adopting.kill("SIGTERM");
    await adopting.exited;
    const said = await new Response(adopting.stdout).text();
    expect(said).toContain(`adopting`);
    expect(said).toContain(`${project}/prod`);
    expect(existsSync(join(dataDir, "admin.token"))).toBe(true);
    expect(docker(["inspect", "-f", "{{.Id}}", container]).out).toBe(container);
  }, 60_000);

  test("--fresh starts empty and leaves the labelled container alone", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "berth-fresh-")), "data");
    cleanups.push(() => rmSync(join(dataDir, ".."), { recursive: true, force: true }));
    const { env, url } = serveEnv(dataDir);
    const proc = await serveUntilHealthy(["--fresh"], env, url);
    proc.kill("SIGTERM");
    await proc.exited;
    expect(await new Response(proc.stdout).text()).toContain("starting empty; left alone");
    expect(docker(["inspect", "-f", "{{.Id}}", container]).out).toBe(container);
  }, 30_000);
});

describe("files that stay private", () => {
  test("DB, WAL, SHM, key and token files are 0600 and the data dir 0700, whatever the umask and an existing dir's mode", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "berth-modes-")), "data");
    cleanups.push(() => rmSync(join(dataDir, ".."), { recursive: true, force: true }));
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const { env, url } = serveEnv(dataDir);
    const previous = process.umask(0o022);
    try {
      const files = ["berth.db", "berth.db-wal", "berth.db-shm", "secret.key", "admin.token"].map((f) => join(dataDir, f));
      const first = await serveUntilHealthy(["--fresh"], env, url);
      for (const file of files) expect(`${file} ${mode(file)}`).toBe(`${file} 600`);
      expect(mode(dataDir)).toBe("700");
      first.kill("SIGKILL");
      await first.exited;

      // Files an earlier version left readable are made private again at start.
      for (const file of files) chmodSync(file, 0o644);
      chmodSync(dataDir, 0o755);
      await serveUntilHealthy(["--fresh"], env, url);
      for (const file of files) expect(`${file} ${mode(file)}`).toBe(`${file} 600`);
      expect(mode(dataDir)).toBe("700");
    } finally {
      process.umask(previous);
    }
  }, 60_000);
});

describe("git URLs with credentials", () => {
  test("are refused at apply with a pointer to berth block git-token, and never echoed or stored", async () => {
    const server = await startServe();
    cleanups.push(() => server.stop());
    const file = join(server.home, "creds.yaml");
    writeFileSync(file, projectFile(`creds${SUFFIX}`, "https://bob:s3cr3t-pa55@git.example.com/acme/web.git"));
    const run = await server.run(["apply", "-f", file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("blocks.web.git.url: must not carry credentials");
    expect(run.stderr).toContain("berth block git-token PROJECT BLOCK");
    expect(run.stdout + run.stderr).not.toContain("s3cr3t-pa55");
    const listed = await server.run(["project", "list"]);
    expect(listed.stdout).not.toContain(`creds${SUFFIX}`);
  }, 30_000);
});
