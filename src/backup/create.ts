import { lstatSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { packArchive, type Entry } from "./archive.ts";
import { encrypt } from "./crypt.ts";
import { DB_ENTRY, FORMAT, MANIFEST, fileRecord, type Manifest } from "./manifest.ts";
import { inspectDb, snapshotDb } from "./snapshot.ts";

/**
 * What a backup leaves out of the data dir: the live DB files (a snapshot goes in instead),
 * pid files, logs, the git cache, earlier backups and files set aside by a restore. Everything
 * else (secret.key, admin.token, known_hosts, certificates, the ACME account, SSH host keys)
 * goes in, so state added later by other parts of Berth is backed up without a list to keep.
 */
const SKIPPED_DIRS = new Set(["logs", "cache", "backups", "tmp"]);
const skipped = (path: string) =>
  /^berth\.db(-wal|-shm|-journal)?$/.test(path) || path.endsWith(".pid") || path.endsWith(".tmp") || /^pre-restore-/.test(path) || /^pre-upgrade-/.test(path) || /^\.(backup|upgrade)-/.test(path);

export interface CreateOptions {
  dataDir: string;
  version: string;
  commit: string;
  /** More folders to leave out (the backup dir when it lies inside the data dir). */
  exclude?: string[];
  passphrase?: string;
  now?: Date;
}

export interface Created {
  data: Buffer;
  manifest: Manifest;
  encrypted: boolean;
}

export async function createBackup(options: CreateOptions): Promise<Created> {
  const now = options.now ?? new Date();
  const exclude = new Set((options.exclude ?? []).map((dir) => relative(options.dataDir, dir)).filter((rel) => rel && !rel.startsWith("..")));
  const scratch = join(options.dataDir, `.backup-${process.pid}.db`);
  const db: Entry = { path: DB_ENTRY, data: snapshotDb(join(options.dataDir, DB_ENTRY), scratch), mode: 0o600 };
  // Inspected from a copy again, so the manifest says what the archive holds.
  writeFileSync(scratch, db.data, { mode: 0o600 });
  let schema;
  try {
    schema = inspectDb(scratch);
  } finally {
    rmSync(scratch, { force: true });
  }
  const entries = [db, ...dataFiles(options.dataDir, exclude)];
  const manifest: Manifest = {
    format: FORMAT,
    berthVersion: options.version,
    commit: options.commit,
    createdAt: now.toISOString(),
    schema,
    files: entries.map(fileRecord),
  };
  const manifestEntry: Entry = { path: MANIFEST, data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), mode: 0o600 };
  const archive = await packArchive([manifestEntry, ...entries], now);
  return { data: options.passphrase ? encrypt(archive, options.passphrase) : archive, manifest, encrypted: Boolean(options.passphrase) };
}

function dataFiles(dataDir: string, exclude: Set<string>): Entry[] {
  const found: Entry[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const rel = relative(dataDir, full).split(sep).join("/");
      const stat = lstatSync(full);
      if (stat.isDirectory()) {
        if (!(dir === dataDir && SKIPPED_DIRS.has(name)) && !exclude.has(rel) && !/^pre-restore-/.test(rel)) walk(full);
      } else if (stat.isFile() && !(dir === dataDir && skipped(name))) {
        found.push({ path: rel, data: readFileSync(full), mode: stat.mode & 0o777 });
      }
    }
  };
  walk(dataDir);
  return found;
}
