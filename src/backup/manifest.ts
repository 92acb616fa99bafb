import { createHash } from "node:crypto";
import type { Entry } from "./archive.ts";

/** Bumped when an older Berth could no longer read what a newer one writes. */
export const FORMAT = 1;
export const MANIFEST = "manifest.json";
/** The state database's path inside the archive: a consistent snapshot, never the live file. */
export const DB_ENTRY = "berth.db";

export interface FileRecord {
  path: string;
  size: number;
  sha256: string;
  mode: number;
}

export interface Manifest {
  format: number;
  berthVersion: string;
  commit: string;
  createdAt: string;
  /** The newest migration the snapshot has applied (drizzle's folderMillis), so a restore can refuse a newer schema. */
  schema: { migrations: number; newest: number | null };
  files: FileRecord[];
}

export const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

export const fileRecord = (entry: Entry): FileRecord => ({ path: entry.path, size: entry.data.length, sha256: sha256(entry.data), mode: entry.mode });

/** The manifest as the archive holds it; throws one line naming what is wrong. */
export function parseManifest(data: Buffer | undefined): Manifest {
  if (!data) throw new Error(`not a Berth backup: it holds no ${MANIFEST}`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(data.toString("utf8"));
  } catch {
    throw new Error(`the backup's ${MANIFEST} is not JSON`);
  }
  if (typeof manifest.format !== "number" || !Array.isArray(manifest.files)) throw new Error(`the backup's ${MANIFEST} is not a Berth manifest`);
  if (manifest.format > FORMAT) throw new Error(`the backup was written in format ${manifest.format} by Berth ${manifest.berthVersion}; this Berth reads format ${FORMAT}: upgrade it first`);
  return manifest;
}

/** Every file the manifest lists is there with its size and checksum, and nothing else is. */
export function verifyFiles(manifest: Manifest, entries: Map<string, Entry>): void {
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const file of manifest.files) {
    const entry = entries.get(file.path);
    if (!entry) throw new Error(`the backup is incomplete: ${file.path} is missing`);
    if (entry.data.length !== file.size || sha256(entry.data) !== file.sha256) throw new Error(`the backup is damaged: ${file.path} does not match its checksum`);
  }
  for (const path of entries.keys()) {
    if (path !== MANIFEST && !listed.has(path)) throw new Error(`the backup holds ${path}, which its manifest does not list`);
  }
  if (!listed.has(DB_ENTRY)) throw new Error(`the backup holds no state database (${DB_ENTRY})`);
}
