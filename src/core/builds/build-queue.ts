/**
 * Runs jobs with a concurrency limit, in order. A job queued under a key that already has a
 * queued (not yet running) job replaces it: the newer build of a block wins.
 */
export class BuildQueue<T> {
  private readonly waiting: { key: string; item: T }[] = [];
  private running = 0;

  constructor(
    private readonly concurrency: number,
    private readonly run: (item: T) => Promise<void>,
    private readonly onReplaced: (old: T, by: T) => void,
  ) {}

  push(key: string, item: T) {
    const index = this.waiting.findIndex((w) => w.key === key);
    if (index !== -1) {
      const [old] = this.waiting.splice(index, 1);
      this.onReplaced(old!.item, item);
    }
    this.waiting.push({ key, item });
    this.pump();
  }

  /** Drops a queued item; false when it is not waiting (running or gone). */
  remove(match: (item: T) => boolean): boolean {
    const index = this.waiting.findIndex((w) => match(w.item));
    if (index === -1) return false;
    this.waiting.splice(index, 1);
    return true;
  }

  get size() {
    return { waiting: this.waiting.length, running: this.running };
  }

  private pump() {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const { item } = this.waiting.shift()!;
      this.running++;
      this.run(item)
        .catch(() => {}) // run() records its own failures; the queue only keeps going.
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }
}
