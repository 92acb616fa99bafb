import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";

/**
 * Writes a file whole or not at all: the text goes to a new file beside it (created with the
 * mode, so no one else can open it in between), is flushed, then renamed over the old one. A
 * crash, a full disk or a reader at the wrong moment sees the old file or the new one, never
 * half a key; and an existing file's looser mode is not kept, since the new file replaces it.
 */
function writeWhole(path: string, text: string, mode: number): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const fd = openSync(temp, "wx", mode);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // The umask may have narrowed the mode at creation.
    chmodSync(temp, mode);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** A file only its owner reads (keys, passwords, tokens), 0600, written whole. */
export function writePrivate(path: string, text: string): void {
  writeWhole(path, text, 0o600);
}

/** A file anyone may read (certificates, public keys), 0644, written whole. */
export function writePublic(path: string, text: string): void {
  writeWhole(path, text, 0o644);
}
