import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";

/** Records this process's pid (written aside and renamed, so a reader never sees half a number). */
export function writePidFile(path: string): void {
  writeFileSync(`${path}.tmp`, `${process.pid}\n`, { mode: 0o644 });
  renameSync(`${path}.tmp`, path);
}

/** Removes the pid file only while it still names this process: a newer one may have taken over. */
export function removeOwnPidFile(path: string): void {
  try {
    if (readFileSync(path, "utf8").trim() === String(process.pid)) rmSync(path);
  } catch {} // already gone
}

/** The pid a file names when that process still exists (and is not a zombie); null otherwise. */
export function livePid(path: string): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(path, "utf8").trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 1) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z" ? null : pid;
  } catch {
    return null;
  }
}
