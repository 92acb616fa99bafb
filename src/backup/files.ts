import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** berth-2026-12-02T03-00-00Z.tar.gz, or .tar.gz.enc when encrypted: sorts by time, names its format. */
export function backupFileName(now: Date, encrypted: boolean): string {
  return `berth-${now.toISOString().replace(/\.\d+Z$/, "Z").replace(/:/g, "-")}.tar.gz${encrypted ? ".enc" : ""}`;
}

const NAME = /^berth-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.tar\.gz(\.enc)?$/;

/** Written beside its final name and renamed, so a crash never leaves half a backup under that name. */
export function writeBackupFile(path: string, data: Buffer): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, data, { mode: 0o600 });
  renameSync(temp, path);
}

/** Keeps the newest `keep` backups Berth named in `dir`; other files there are never touched. Returns what it removed. */
export function pruneBackups(dir: string, keep: number): string[] {
  if (!existsSync(dir)) return [];
  const ours = readdirSync(dir)
    .filter((name) => NAME.test(name) && statSync(join(dir, name)).isFile())
    .sort()
    .reverse();
  const removed = ours.slice(keep);
  for (const name of removed) rmSync(join(dir, name));
  return removed;
}
