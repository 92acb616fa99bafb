import { Database } from "bun:sqlite";
import { existsSync, readFileSync, rmSync } from "node:fs";

/**
 * A consistent copy of a live WAL database: `VACUUM INTO` reads one transaction's view, so
 * writers carry on and nothing half-written is copied (a file copy of the DB and its WAL is not safe).
 */
export function snapshotDb(dbPath: string, scratch: string): Buffer {
  if (!existsSync(dbPath)) throw new Error(`no state database at ${dbPath}`);
  rmSync(scratch, { force: true });
  const db = new Database(dbPath, { readonly: true });
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    db.query("VACUUM INTO ?").run(scratch);
  } finally {
    db.close();
  }
  try {
    return readFileSync(scratch);
  } finally {
    rmSync(scratch, { force: true });
  }
}

export interface SchemaInfo {
  migrations: number;
  /** drizzle's folderMillis of the newest applied migration. */
  newest: number | null;
}

/** Which migrations a database file has applied; throws when it is not a sound SQLite file. */
export function inspectDb(path: string): SchemaInfo {
  const db = new Database(path, { readonly: true });
  try {
    const check = db.query("PRAGMA quick_check").all() as { quick_check: string }[];
    const bad = check.map((r) => r.quick_check).filter((r) => r !== "ok");
    if (bad.length) throw new Error(`the backup's state database is damaged (quick_check: ${bad[0]})`);
    try {
      const row = db.query("SELECT count(*) AS n, max(created_at) AS newest FROM __drizzle_migrations").get() as { n: number; newest: number | null };
      return { migrations: row.n, newest: row.newest === null ? null : Number(row.newest) };
    } catch {
      return { migrations: 0, newest: null };
    }
  } catch (error) {
    if (/not a database|malformed/i.test((error as Error).message)) throw new Error("the backup's state database is not a SQLite database");
    throw error;
  } finally {
    db.close();
  }
}
