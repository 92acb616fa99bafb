import { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { chmodSync, closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import type { MigrationMeta } from "drizzle-orm/migrator";
import { embeddedMigrations } from "./migrations.gen.ts";
import * as schema from "./schema.ts";
import { scanWal } from "./wal-scan.ts";

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database };

/** The embedded migrations in the shape drizzle's own file reader produces. */
function migrationMeta(): MigrationMeta[] {
  return embeddedMigrations.map((m) => ({
    sql: m.sql.split("--> statement-breakpoint"),
    bps: m.breakpoints,
    folderMillis: m.when,
    hash: createHash("sha256").update(m.sql).digest("hex"),
  }));
}

/** Pages the WAL may grow to before a commit checkpoints it (SQLite's default, made explicit). */
const AUTOCHECKPOINT_PAGES = 1000;

/**
 * Opens (creating if needed) the state database: WAL, foreign keys on. A new file is made
 * 0600 whatever the umask; SQLite gives its -wal and -shm files the database file's mode.
 */
export function openDb(path: string): Db {
  if (path !== ":memory:" && !existsSync(path)) {
    closeSync(openSync(path, "a", 0o600));
    chmodSync(path, 0o600);
  }
  const client = new Database(path, { create: true, strict: true });
  client.exec("PRAGMA journal_mode = WAL");
  client.exec("PRAGMA foreign_keys = ON");
  client.exec("PRAGMA busy_timeout = 5000");
  client.exec(`PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  return drizzle({ client, schema }) as Db;
}

/** The state files SQLite keeps beside each other. */
export const dbFiles = (path: string) => [path, `${path}-wal`, `${path}-shm`];

/**
 * Moves everything in the WAL into the database file and empties the log, so a crash or a
 * damaged log can lose at most what was written since. Readers (the edge) may hold it back;
 * the next call catches up.
 */
export function checkpoint(db: Db): { busy: boolean; framesLeft: number } {
  const row = db.$client.query("PRAGMA wal_checkpoint(TRUNCATE)").get() as { busy: number; log: number; checkpointed: number };
  return { busy: row.busy !== 0, framesLeft: Math.max(0, row.log - row.checkpointed) };
}

/** Problems `PRAGMA quick_check` finds (empty when the file is sound). */
export function quickCheck(db: Db): string[] {
  const rows = db.$client.query("PRAGMA quick_check").all() as { quick_check: string }[];
  return rows.map((r) => r.quick_check).filter((r) => r !== "ok");
}

/**
 * What SQLite would silently drop when it opens `path` after a crash: committed
 * transactions behind a damaged frame of the WAL. Must run before the first open, since
 * the first writer overwrites the frames that show the damage.
 */
export function lostWalCommits(path: string): { lost: number; frame?: number } {
  const wal = `${path}-wal`;
  if (!existsSync(wal)) return { lost: 0 };
  const scan = scanWal(readFileSync(wal));
  return { lost: scan.lostCommits, frame: scan.firstBadFrame };
}

/** Applies pending migrations; returns how many ran. Drizzle's migrator is fed the embedded files. */
export function migrate(db: Db): number {
  const count = () => {
    try {
      return (db.$client.query("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number }).n;
    } catch {
      return 0;
    }
  };
  const before = count();
  // drizzle's dialect migrator is the part of migrate() that does not read the disk.
  const internal = db as unknown as { dialect: { migrate(m: MigrationMeta[], s: unknown, c: object): void }; session: unknown };
  internal.dialect.migrate(migrationMeta(), internal.session, { migrationsFolder: "" });
  return count() - before;
}
