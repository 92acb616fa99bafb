// Test support: build-context folders on disk, made from a map of files.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export type ContextFiles = Record<string, string | { link: string }>;

/** A fresh folder with these files (a value of `{ link }` makes a symlink); the caller removes it. */
export function writeContextDir(files: ContextFiles, prefix = "berth-context-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    if (typeof content === "string") writeFileSync(join(dir, path), content);
    else symlinkSync(content.link, join(dir, path));
  }
  return dir;
}
