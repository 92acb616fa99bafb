import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { migrate, openDb } from "../adapters/store/db.ts";
import { packArchive } from "./archive.ts";
import { createBackup } from "./create.ts";
import { decrypt, encrypt, isEncrypted } from "./crypt.ts";
import { backupFileName, pruneBackups } from "./files.ts";
import { scheduleBackups } from "./run.ts";
import { fileRecord, MANIFEST } from "./manifest.ts";
import { knownMigrations, readBackup, RESTORED_MARKER, writeBackup } from "./restore.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-backup-"));
  dirs.push(dir);
  return dir;
};
const mode = (path: string) => statSync(path).mode & 0o777;

/** A data dir as serve leaves it while running: WAL DB open with writes in the log, key files, logs, a cache. */
function liveDataDir() {
  const dir = tempDir();
  const db = openDb(join(dir, "berth.db"));
  migrate(db);
  db.$client.exec("CREATE TABLE marks (v TEXT)");
  db.$client.query("INSERT INTO marks VALUES (?)").run("before the backup");
  writeFileSync(join(dir, "secret.key"), Buffer.alloc(32, 7), { mode: 0o600 });
  writeFileSync(join(dir, "admin.token"), "owner-token\n", { mode: 0o600 });
  mkdirSync(join(dir, "certs"), { mode: 0o700 });
  writeFileSync(join(dir, "certs", "shop.example.com.pem"), "CERT", { mode: 0o600 });
  mkdirSync(join(dir, "logs", "builds"), { recursive: true });
  writeFileSync(join(dir, "logs", "builds", "1.log"), "a build log");
  mkdirSync(join(dir, "cache", "git"), { recursive: true });
  writeFileSync(join(dir, "cache", "git", "HEAD"), "ref");
  writeFileSync(join(dir, "edge.pid"), "123\n");
  return { dir, db };
}

const options = { version: "9.9.9", commit: "abc1234" };

describe("backup create", () => {
  test("holds a snapshot of the live DB with its WAL contents, the key files and a manifest with checksums; leaves logs, cache and pid files out", async () => {
    const { dir, db } = liveDataDir();
    expect(existsSync(join(dir, "berth.db-wal"))).toBe(true);
    const { data, manifest } = await createBackup({ dataDir: dir, ...options, now: new Date("2026-12-02T03:00:00Z") });
    db.$client.close();
    expect(isEncrypted(data)).toBe(false);
    expect(manifest.files.map((f) => f.path).sort()).toEqual(["admin.token", "berth.db", "certs/shop.example.com.pem", "secret.key"]);
    expect(manifest).toMatchObject({ format: 1, berthVersion: "9.9.9", commit: "abc1234", createdAt: "2026-12-02T03:00:00.000Z" });
    expect(manifest.schema.migrations).toBe(knownMigrations().length);
    // A plain tar.gz: the operator can look inside with tar.
    expect(gunzipSync(data).subarray(0, 100).toString("utf8")).toContain(MANIFEST);
  });

  test("restores into an empty data dir: same bytes, private modes, a sound WAL database with the rows written before the backup", async () => {
    const { dir, db } = liveDataDir();
    const { data } = await createBackup({ dataDir: dir, ...options });
    db.$client.close();
    const target = tempDir();
    const backup = await readBackup(data, { knownMigrations: knownMigrations() }, target);
    writeBackup(backup, target);
    expect(readFileSync(join(target, "secret.key")).equals(Buffer.alloc(32, 7))).toBe(true);
    expect(readFileSync(join(target, "certs", "shop.example.com.pem"), "utf8")).toBe("CERT");
    expect(mode(join(target, "secret.key"))).toBe(0o600);
    expect(mode(target)).toBe(0o700);
    const restored = new Database(join(target, "berth.db"));
    expect(restored.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    expect(restored.query("SELECT v FROM marks").all()).toEqual([{ v: "before the backup" }]);
    restored.close();
    expect(existsSync(join(target, RESTORED_MARKER))).toBe(true);
    expect(readdirSync(target).filter((f) => f.endsWith(".tmp") || f.startsWith(".backup-"))).toEqual([]);
  });

  test("restoring over existing state sets the replaced files and the old WAL aside instead of deleting them", async () => {
    const { dir, db } = liveDataDir();
    const { data } = await createBackup({ dataDir: dir, ...options });
    db.$client.query("INSERT INTO marks VALUES (?)").run("after the backup");
    db.$client.close();
    writeFileSync(join(dir, "berth.db-wal"), "an old log that must not meet the restored file");
    const { setAside } = writeBackup(await readBackup(data, { knownMigrations: knownMigrations() }, dir), dir);
    expect(setAside).not.toBeNull();
    expect(readdirSync(setAside!)).toEqual(expect.arrayContaining(["admin.token", "berth.db", "berth.db-wal", "certs", "secret.key"]));
    expect(existsSync(join(dir, "berth.db-wal"))).toBe(false);
    const restored = new Database(join(dir, "berth.db"));
    expect(restored.query("SELECT v FROM marks").all()).toEqual([{ v: "before the backup" }]);
    restored.close();
  });
});

describe("encryption", () => {
  test("round-trips with the passphrase; a wrong one or one changed byte is refused", async () => {
    const { dir, db } = liveDataDir();
    const { data } = await createBackup({ dataDir: dir, ...options, passphrase: "correct horse" });
    db.$client.close();
    expect(isEncrypted(data)).toBe(true);
    expect(data.includes(Buffer.alloc(32, 7))).toBe(false);
    await expect(readBackup(data, { knownMigrations: knownMigrations() }, tempDir())).rejects.toThrow("the backup is encrypted: pass --passphrase-file");
    await expect(readBackup(data, { passphrase: "wrong", knownMigrations: knownMigrations() }, tempDir())).rejects.toThrow("wrong passphrase");
    const flipped = Buffer.from(data);
    flipped[flipped.length - 40]! ^= 1;
    expect(() => decrypt(flipped, "correct horse")).toThrow("wrong passphrase, or the backup file is damaged");
    const backup = await readBackup(data, { passphrase: "correct horse", knownMigrations: knownMigrations() }, tempDir());
    expect(backup.entries.get("secret.key")!.data.equals(Buffer.alloc(32, 7))).toBe(true);
  });

  test("a changed cost parameter in the header fails authentication", () => {
    const sealed = encrypt(Buffer.from("state"), "pw", { logN: 10, r: 8, p: 1 });
    const changed = Buffer.from(sealed);
    changed[8] = 11;
    expect(() => decrypt(changed, "pw")).toThrow("wrong passphrase");
    expect(decrypt(sealed, "pw").toString()).toBe("state");
  });
});

describe("restore checks", () => {
  test("refuses a file whose checksum does not match its manifest, naming it", async () => {
    const dbFile = { path: "berth.db", data: Buffer.from("x"), mode: 0o600 };
    const key = { path: "secret.key", data: Buffer.alloc(32, 1), mode: 0o600 };
    const manifest = { format: 1, berthVersion: "1", commit: "c", createdAt: "", schema: { migrations: 0, newest: null }, files: [fileRecord(dbFile), { ...fileRecord(key), sha256: "0".repeat(64) }] };
    const archive = await packArchive([{ path: MANIFEST, data: Buffer.from(JSON.stringify(manifest)), mode: 0o600 }, dbFile, key], new Date());
    await expect(readBackup(archive, { knownMigrations: knownMigrations() }, tempDir())).rejects.toThrow("the backup is damaged: secret.key does not match its checksum");
  });

  test("refuses a backup whose schema is newer than this binary's migrations, and anything that is not a backup", async () => {
    const { dir, db } = liveDataDir();
    const { data } = await createBackup({ dataDir: dir, ...options });
    db.$client.close();
    await expect(readBackup(data, { knownMigrations: knownMigrations().slice(0, -1) }, tempDir())).rejects.toThrow("migrated by a newer Berth (9.9.9)");
    await expect(readBackup(Buffer.from("hello"), { knownMigrations: knownMigrations() }, tempDir())).rejects.toThrow("not a Berth backup");
  });
});

describe("retention", () => {
  test("keeps the newest N of Berth's backup files and never touches other files", () => {
    const dir = tempDir();
    const names = [1, 2, 3, 4, 5].map((day) => backupFileName(new Date(`2026-12-0${day}T03:00:00Z`), day % 2 === 0));
    for (const name of [...names, "notes.txt"]) writeFileSync(join(dir, name), "x");
    expect(pruneBackups(dir, 3).sort()).toEqual(names.slice(0, 2));
    expect(readdirSync(dir).sort()).toEqual([...names.slice(2), "notes.txt"].sort());
    expect(names[0]).toBe("berth-2026-12-01T03-00-00Z.tar.gz");
  });
});

describe("scheduled backups", () => {
  test("write a backup at each time of the pattern and keep only the newest ones", async () => {
    const { dir, db } = liveDataDir();
    const lines: string[] = [];
    const backups = join(dir, "backups");
    // Every second (croner's six-field form; the setting takes five fields): three runs in a few seconds.
    const stop = scheduleBackups({ dataDir: dir, dir: backups, ...options, pattern: "* * * * * *", keep: 2 }, (line) => lines.push(line));
    try {
      const deadline = Date.now() + 15_000;
      while (lines.filter((l) => l.startsWith("backup: wrote")).length < 3 && Date.now() < deadline) await Bun.sleep(100);
    } finally {
      stop();
    }
    db.$client.close();
    expect(lines.filter((l) => l.startsWith("backup: wrote")).length).toBeGreaterThanOrEqual(3);
    expect(lines.some((l) => l.includes("removed 1 older"))).toBe(true);
    expect(readdirSync(backups).filter((f) => f.endsWith(".tar.gz"))).toHaveLength(2);
  });
});
