import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate, openDb } from "../adapters/store/db.ts";
import { listedChecksum } from "./release-download.ts";
import type { Systemd } from "./systemd.ts";
import { PRE_UPGRADE_DB, upgrade } from "./upgrade.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A stand-in for a berth binary: answers --version, and `migrate` the way it is told. */
const script = (version: string, migrateBody: string) => `#!/bin/sh
case "$1" in
  --version) echo "berth ${version} (commit test)" ;;
  migrate) ${migrateBody} ;;
esac
`;

function install() {
  const dir = mkdtempSync(join(tmpdir(), "berth-upgrade-"));
  dirs.push(dir);
  const bin = join(dir, "berth");
  writeFileSync(bin, script("1.0.0", "echo the database is up to date"), { mode: 0o755 });
  const dataDir = join(dir, "data");
  mkdirSync(dataDir);
  const db = openDb(join(dataDir, "berth.db"));
  migrate(db);
  db.$client.exec("CREATE TABLE marks (v TEXT)");
  db.$client.query("INSERT INTO marks VALUES ('before the upgrade')").run();
  db.$client.close();
  const calls: string[] = [];
  const systemd: Systemd = { has: async () => true, run: async (args) => void calls.push(args.join(" ")) };
  const deps = { binaryPath: bin, dataDir, env: { PATH: "/usr/bin:/bin" }, apiUrl: "http://127.0.0.1:1", edgeMetricsUrl: "http://127.0.0.1:1", systemd, log: () => {}, freePort: () => 1, moveQueuedConnections: () => null, timeoutMs: 500 };
  return { bin, dataDir, calls, deps };
}

describe("berth upgrade", () => {
  test("a failed migration puts back the previous binary and the database as it was, and starts the old control plane", async () => {
    const { bin, dataDir, calls, deps } = install();
    const before = readFileSync(bin, "utf8");
    // The new binary damages the database half-way, as a failing migration could, then fails.
    const candidate = Buffer.from(script("2.0.0", `printf 'garbage' > "${join(dataDir, "berth.db")}"; echo "error: migration 0009 failed" >&2; exit 1`));
    await expect(upgrade(candidate, deps)).rejects.toThrow("the migration failed (error: migration 0009 failed): put back berth 1.0.0 and the database as it was");
    expect(readFileSync(bin, "utf8")).toBe(before);
    const db = new Database(join(dataDir, "berth.db"));
    expect(db.query("SELECT v FROM marks").all()).toEqual([{ v: "before the upgrade" }]);
    db.close();
    expect(calls).toEqual(["systemctl stop berth.service", "systemctl start berth.service"]);
    expect(existsSync(join(dataDir, PRE_UPGRADE_DB))).toBe(true);
  });

  test("a binary that does not run here changes nothing and stops nothing", async () => {
    const { bin, calls, deps } = install();
    const before = readFileSync(bin, "utf8");
    await expect(upgrade(Buffer.from("#!/bin/sh\nexit 3\n"), deps)).rejects.toThrow("the new binary does not run here");
    expect(readFileSync(bin, "utf8")).toBe(before);
    expect(existsSync(`${bin}.new`)).toBe(false);
    expect(calls).toEqual([]);
  });

  test("refuses outside an install made by install.sh", async () => {
    const { deps } = install();
    await expect(upgrade(Buffer.from(""), { ...deps, systemd: { has: async () => false, run: async () => {} } })).rejects.toThrow("berth.service is not installed");
  });

  test("SHA256SUMS lines are read in both the text and the binary form", () => {
    const sums = `${"a".repeat(64)}  berth-linux-x64\n${"b".repeat(64)} *berth-linux-arm64\n`;
    expect(listedChecksum(sums, "berth-linux-x64")).toBe("a".repeat(64));
    expect(listedChecksum(sums, "berth-linux-arm64")).toBe("b".repeat(64));
    expect(listedChecksum(sums, "berth-linux-riscv")).toBeNull();
  });
});
