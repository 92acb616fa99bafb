import { Cron } from "croner";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createBackup } from "./create.ts";
import { backupFileName, pruneBackups, writeBackupFile } from "./files.ts";
import type { Manifest } from "./manifest.ts";

export interface BackupSettings {
  dataDir: string;
  /** Where scheduled backups and `backup create` without --to go. */
  dir: string;
  version: string;
  commit: string;
}

export interface Written {
  path: string;
  bytes: number;
  encrypted: boolean;
  manifest: Manifest;
}

/** Reads a passphrase file as `age -p` and restic do: the first line, without its line end. */
export function readPassphrase(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`cannot read the passphrase file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const passphrase = text.split(/\r?\n/)[0]!;
  if (!passphrase) throw new Error(`the passphrase file ${file} is empty`);
  return passphrase;
}

export async function backupNow(settings: BackupSettings, options: { to?: string; passphrase?: string; now?: Date } = {}): Promise<Written> {
  const now = options.now ?? new Date();
  const created = await createBackup({ dataDir: settings.dataDir, version: settings.version, commit: settings.commit, exclude: [settings.dir], passphrase: options.passphrase, now });
  const path = options.to ?? join(settings.dir, backupFileName(now, created.encrypted));
  writeBackupFile(path, created.data);
  return { path, bytes: created.data.length, encrypted: created.encrypted, manifest: created.manifest };
}

/**
 * Scheduled backups inside `berth serve`: one at each time the pattern names, then the oldest
 * beyond `keep` are removed. A failure is told and the next run tries again.
 */
export function scheduleBackups(settings: BackupSettings & { pattern: string; keep: number; passphraseFile?: string }, log: (line: string) => void): () => void {
  if (settings.pattern === "off") return () => {};
  const job = new Cron(settings.pattern, { protect: true }, async () => {
    try {
      const passphrase = settings.passphraseFile ? readPassphrase(settings.passphraseFile) : undefined;
      const written = await backupNow(settings, { passphrase });
      const removed = pruneBackups(settings.dir, settings.keep);
      log(`backup: wrote ${written.path} (${written.bytes} bytes${written.encrypted ? ", encrypted" : ""})${removed.length ? `; removed ${removed.length} older` : ""}`);
    } catch (error) {
      log(`backup: failed: ${(error as Error).message.split("\n")[0]}`);
    }
  });
  return () => job.stop();
}
