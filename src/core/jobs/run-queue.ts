/**
 * Runs items at most `limit` at a time, first in first out. Items pushed with `now` skip the
 * line and the limit (deploy hooks: a busy schedule must never hold a deploy back), but still
 * count as running, so queued items wait for them too.
 */
export class RunQueue<T> {
  private readonly waiting: T[] = [];
  private running = 0;

  constructor(
    private readonly limit: number,
    private readonly execute: (item: T) => Promise<void>,
  ) {}

  push(item: T, now = false): Promise<void> {
    if (now) return this.start(item);
    this.waiting.push(item);
    this.pump();
    return Promise.resolve();
  }

  /** Drops a waiting item; false when it is not waiting (running or gone). */
  remove(match: (item: T) => boolean): boolean {
    const index = this.waiting.findIndex(match);
    if (index === -1) return false;
    this.waiting.splice(index, 1);
    return true;
  }

  get size() {
    return { waiting: this.waiting.length, running: this.running };
  }

  private start(item: T): Promise<void> {
    this.running++;
    return this.execute(item)
      .catch(() => {}) // execute() records its own failures; the queue only keeps going.
      .finally(() => {
        this.running--;
        this.pump();
      });
  }

  private pump() {
    while (this.running < this.limit && this.waiting.length > 0) void this.start(this.waiting.shift()!);
  }
}
