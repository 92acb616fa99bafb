/**
 * A byte budget per log (a build, a job run): lines are admitted until the next one would
 * pass the limit, then one notice line is written and everything after it is dropped, so a
 * program that prints without end cannot fill the disk or the followers' screens.
 */
export class LogCap {
  private readonly used = new Map<number, number>();
  private readonly full = new Set<number>();

  constructor(
    private readonly maxBytes: number,
    /** The line written once, in place of what no longer fits. */
    private readonly notice: string,
  ) {}

  /** The lines of `lines` that still fit, followed by the notice when the limit is reached. */
  admit(id: number, lines: string[]): string[] {
    if (this.full.has(id)) return [];
    let used = this.used.get(id) ?? 0;
    const admitted: string[] = [];
    for (const line of lines) {
      const size = Buffer.byteLength(line) + 1;
      if (used + size > this.maxBytes) {
        this.full.add(id);
        this.used.delete(id);
        admitted.push(this.notice);
        return admitted;
      }
      used += size;
      admitted.push(line);
    }
    this.used.set(id, used);
    return admitted;
  }

  /** Whether the log reached its limit. */
  truncated(id: number): boolean {
    return this.full.has(id);
  }

  /** The log is finished: its count is no longer needed. */
  forget(id: number): void {
    this.used.delete(id);
    this.full.delete(id);
  }
}

/** "10Mi" style text for a byte count, for notices. */
export function formatBytes(bytes: number): string {
  if (bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3}Gi`;
  if (bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2}Mi`;
  return `${bytes} bytes`;
}
