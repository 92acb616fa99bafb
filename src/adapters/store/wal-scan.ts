/**
 * Reads a SQLite write-ahead log the way SQLite's recovery does (file format 2, "WAL file
 * format"), to learn what recovery would silently drop. SQLite replays frames up to the
 * first one whose salts or running checksum do not match and ignores the rest, so a single
 * damaged frame loses every transaction committed after it without an error. A torn write
 * at the very end of the log (a crash during the last, unfinished transaction) is normal;
 * a committed transaction behind a bad frame is not.
 */
export interface WalScan {
  /** Frames SQLite will replay (through the last commit before the first bad frame). */
  replayed: number;
  /** Frames of the current log (same salts) found after the first bad frame. */
  frames: number;
  /** Commit frames of the current log that recovery would drop: committed work lost. */
  lostCommits: number;
  /** Index (0-based) of the first frame that failed its checksum, if any. */
  firstBadFrame?: number;
}

const HEADER = 32;
const FRAME_HEADER = 24;

export function scanWal(wal: Uint8Array): WalScan {
  const empty: WalScan = { replayed: 0, frames: 0, lostCommits: 0 };
  if (wal.length < HEADER) return empty;
  const view = new DataView(wal.buffer, wal.byteOffset, wal.byteLength);
  const magic = view.getUint32(0);
  // No valid header: SQLite treats the whole log as empty, so a bad header can lose everything.
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return wal.length > HEADER ? { ...empty, lostCommits: countCommitsLoosely(wal), firstBadFrame: 0 } : empty;
  const bigEndian = (magic & 1) === 1;
  const pageSize = view.getUint32(8) === 1 ? 65536 : view.getUint32(8);
  const salt1 = view.getUint32(16);
  const salt2 = view.getUint32(20);
  const frameSize = FRAME_HEADER + pageSize;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return empty;

  let [s0, s1] = checksum(wal, 0, 24, bigEndian, 0, 0);
  const headerOk = s0 === view.getUint32(24) && s1 === view.getUint32(28);
  let replayed = 0;
  let valid = 0;
  let firstBad: number | undefined = headerOk ? undefined : 0;
  let lostCommits = 0;
  let frames = 0;
  for (let i = 0, at = HEADER; at + frameSize <= wal.length; i++, at += frameSize) {
    const sameLog = view.getUint32(at + 8) === salt1 && view.getUint32(at + 12) === salt2;
    const commit = view.getUint32(at + 4) !== 0;
    if (firstBad === undefined) {
      if (!sameLog) break; // stale frames of an earlier log: the current log ends here
      [s0, s1] = checksum(wal, at, 8, bigEndian, s0, s1);
      [s0, s1] = checksum(wal, at + FRAME_HEADER, pageSize, bigEndian, s0, s1);
      if (s0 === view.getUint32(at + 16) && s1 === view.getUint32(at + 20)) {
        valid++;
        if (commit) replayed = valid;
        continue;
      }
      // The bad frame itself may be a torn write of the last, unacknowledged transaction.
      firstBad = i;
      continue;
    }
    if (sameLog) {
      frames++;
      if (commit) lostCommits++;
    }
  }
  return { replayed, frames, lostCommits, ...(firstBad !== undefined && { firstBadFrame: firstBad }) };
}

/** Without a readable header the page size is unknown: count commit markers assuming 4096-byte pages. */
function countCommitsLoosely(wal: Uint8Array): number {
  const view = new DataView(wal.buffer, wal.byteOffset, wal.byteLength);
  const frameSize = FRAME_HEADER + 4096;
  let commits = 0;
  for (let at = HEADER; at + frameSize <= wal.length; at += frameSize) if (view.getUint32(at + 4) !== 0) commits++;
  return commits;
}

/** SQLite's WAL checksum: two running 32-bit sums over pairs of 32-bit words. */
function checksum(data: Uint8Array, offset: number, length: number, bigEndian: boolean, s0: number, s1: number): [number, number] {
  const view = new DataView(data.buffer, data.byteOffset + offset, length);
  for (let i = 0; i < length; i += 8) {
    s0 = (s0 + view.getUint32(i, !bigEndian) + s1) >>> 0;
    s1 = (s1 + view.getUint32(i + 4, !bigEndian) + s0) >>> 0;
  }
  return [s0, s1];
}
