import { Database } from "bun:sqlite";
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { unpackArchive, type Entry } from "./archive.ts";
import { decrypt, isEncrypted } from "./crypt.ts";
import { DB_ENTRY, MANIFEST, parseManifest, verifyFiles, type Manifest } from "./manifest.ts";
import { embeddedMigrations } from "../adapters/store/migrations.gen.ts";
import { inspectDb } from "./snapshot.ts";

/** Written beside the restored state; the next `berth serve` starts what the restored releases say should run, then removes it. */
export const RESTORED_MARKER = "restored.json";

/** drizzle's folderMillis of every migration this binary carries. */
export const knownMigrations = () => embeddedMigrations.map((m) => m.when);

export interface ReadOptions {
  passphrase?: string;
  /** drizzle folderMillis of every migration this binary knows. */
  knownMigrations: number[];
}

export interface CheckedBackup {
  manifest: Manifest;
  entries: Map<string, Entry>;
}

/** Decrypts, unpacks and checks a backup without touching the data dir. */
export async function readBackup(data: Buffer, options: ReadOptions, scratchDir: string): Promise<CheckedBackup> {
  if (isEncrypted(data)) {
    if (!options.passphrase) throw new Error("the backup is encrypted: pass --passphrase-file");
    data = decrypt(data, options.passphrase);
  }
  const entries = await unpackArchive(data);
  const manifest = parseManifest(entries.get(MANIFEST)?.data);
  verifyFiles(manifest, entries);
  mkdirSync(scratchDir, { recursive: true, mode: 0o700 });
  const scratch = join(scratchDir, `.backup-check-${process.pid}.db`);
  writeFileSync(scratch, entries.get(DB_ENTRY)!.data, { mode: 0o600 });
  try {
    const schema = inspectDb(scratch);
    const newestKnown = Math.max(0, ...options.knownMigrations);
    if (schema.newest !== null && schema.newest > newestKnown) {
      throw new Error(`the backup's state was migrated by a newer Berth (${manifest.berthVersion}) than this one: upgrade berth, then restore`);
    }
  } finally {
    rmSync(scratch, { force: true });
  }
  return { manifest, entries };
}

/**
 * Puts a checked backup into the data dir. The files it replaces (and the old DB's WAL and
 * SHM, which must never meet another database file) are moved to `pre-restore-<time>/`
 * first, so a restore over the wrong state can be undone by hand.
 */
export function writeBackup(backup: CheckedBackup, dataDir: string, now = new Date()): { setAside: string | null } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  const aside = join(dataDir, `pre-restore-${now.toISOString().replace(/[:.]/g, "-")}`);
  let movedAny = false;
  const setAside = (rel: string) => {
    const from = join(dataDir, rel);
    if (!existsSync(from)) return;
    mkdirSync(dirname(join(aside, rel)), { recursive: true, mode: 0o700 });
    renameSync(from, join(aside, rel));
    movedAny = true;
  };

  // Staged first, so a full disk fails before anything of the current state moved.
  const staged: [string, string][] = [];
  try {
    for (const file of backup.manifest.files) {
      const entry = backup.entries.get(file.path)!;
      const target = join(dataDir, file.path);
      const temp = `${target}.restore.tmp`;
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
      writeFileSync(temp, entry.data, { mode: file.mode & 0o700 });
      chmodSync(temp, file.mode & 0o700);
      staged.push([temp, target]);
    }
    // The snapshot is a rollback-journal file; Berth runs its DB in WAL mode (the edge reads it alongside).
    const db = new Database(join(dataDir, `${DB_ENTRY}.restore.tmp`));
    db.exec("PRAGMA journal_mode = WAL");
    db.close();
  } catch (error) {
    for (const [temp] of staged) rmSync(temp, { force: true });
    throw error;
  }
  for (const suffix of ["-wal", "-shm", "-journal"]) setAside(`${DB_ENTRY}${suffix}`);
  for (const [, target] of staged) setAside(target.slice(dataDir.length + 1));
  for (const [temp, target] of staged) renameSync(temp, target);
  writeFileSync(join(dataDir, RESTORED_MARKER), `${JSON.stringify({ restoredAt: now.toISOString(), createdAt: backup.manifest.createdAt, berthVersion: backup.manifest.berthVersion })}\n`, { mode: 0o600 });
  return { setAside: movedAny ? aside : null };
}
