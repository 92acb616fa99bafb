import { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import type { MigrationMeta } from "drizzle-orm/migrator";
import { embeddedMigrations } from "./migrations.gen.ts";
import * as schema from "./schema.ts";

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

/** Opens (creating if needed) the state database: WAL, foreign keys on. */
export function openDb(path: string): Db {
  const client = new Database(path, { create: true, strict: true });
  client.exec("PRAGMA journal_mode = WAL");
  client.exec("PRAGMA foreign_keys = ON");
  client.exec("PRAGMA busy_timeout = 5000");
  return drizzle({ client, schema }) as Db;
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
