import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkpoint, lostWalCommits, migrate, openDb, quickCheck } from "./db.ts";

const dir = mkdtempSync(join(tmpdir(), "berth-db-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the state database file", () => {
  test("is created 0600 with its WAL and SHM even under umask 022", () => {
    const previous = process.umask(0o022);
    try {
      const path = join(dir, "modes.db");
      const db = openDb(path);
      migrate(db);
      for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(`${file} ${(statSync(file).mode & 0o777).toString(8)}`).toBe(`${file} 600`);
      db.$client.close();
    } finally {
      process.umask(previous);
    }
  });

  test("a checkpoint empties the WAL into the database file, so a later damaged WAL loses nothing", () => {
    const path = join(dir, "checkpoint.db");
    const db = openDb(path);
    migrate(db);
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
    expect(checkpoint(db)).toEqual({ busy: false, framesLeft: 0 });
    expect(statSync(`${path}-wal`).size).toBe(0);
    expect(lostWalCommits(path)).toEqual({ lost: 0 });
    expect(quickCheck(db)).toEqual([]);
    db.$client.close();
  });
});
