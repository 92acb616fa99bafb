import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scanWal } from "./wal-scan.ts";

const dir = mkdtempSync(join(tmpdir(), "berth-wal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A database whose rows live only in its WAL, copied as a crash would leave it. */
function crashedCopy(name: string, rows: number): { db: string; wal: string } {
  const live = join(dir, `${name}-live.db`);
  const db = new Database(live, { create: true });
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA wal_autocheckpoint = 0");
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
  for (let i = 0; i < rows; i++) db.query("INSERT INTO t (v) VALUES (?)").run("x".repeat(2000));
  const copy = join(dir, `${name}.db`);
  copyFileSync(live, copy);
  copyFileSync(`${live}-wal`, `${copy}-wal`);
  db.close(false);
  return { db: copy, wal: `${copy}-wal` };
}

const rowsIn = (path: string) => {
  const db = new Database(path);
  try {
    return (db.query("SELECT count(*) AS n FROM t").get() as { n: number } | null)?.n ?? 0;
  } catch {
    return 0;
  } finally {
    db.close();
  }
};

describe("scanWal finds committed transactions that SQLite's recovery would drop", () => {
  test("an intact log after a crash loses nothing", () => {
    const { wal } = crashedCopy("intact", 5);
    const scan = scanWal(readFileSync(wal));
    expect(scan.lostCommits).toBe(0);
    expect(scan.firstBadFrame).toBeUndefined();
    expect(scan.replayed).toBeGreaterThan(5);
  });

  test("one damaged frame in the middle of the log reports the commits behind it", () => {
    const { db, wal } = crashedCopy("damaged", 6);
    const bytes = readFileSync(wal);
    const frameSize = 24 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(8);
    const at = 32 + 2 * frameSize + 100;
    bytes[at] = bytes[at]! ^ 0xff; // page data of the third frame
    writeFileSync(wal, bytes);
    const scan = scanWal(bytes);
    expect(scan.firstBadFrame).toBe(2);
    expect(scan.lostCommits).toBeGreaterThan(0);
    // What the scan guards against: SQLite opens the file without complaint, rows missing.
    expect(rowsIn(db)).toBeLessThan(6);
  });

  test("a torn last frame, as a crash during the last commit leaves it, is not reported as a loss", () => {
    const { wal } = crashedCopy("torn", 4);
    const bytes = readFileSync(wal);
    const frameSize = 24 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(8);
    const frames = Math.floor((bytes.length - 32) / frameSize);
    const at = 32 + (frames - 1) * frameSize + 24 + 10;
    bytes[at] = bytes[at]! ^ 0xff;
    const scan = scanWal(bytes);
    expect(scan.firstBadFrame).toBe(frames - 1);
    expect(scan.lostCommits).toBe(0);
  });

  test("a missing or empty log is fine", () => {
    expect(scanWal(new Uint8Array())).toEqual({ replayed: 0, frames: 0, lostCommits: 0 });
  });
});
