import type { BuildLogStore } from "../../ports/build-store.ts";
import { LogHub } from "./log-hub.ts";

/**
 * The log of a long-running record (a build, a release): lines are stored and published as
 * they come; followers get what was written so far, then each new line, then the end;
 * waiters get the record as it finished.
 */
export class LogChannel<T> {
  private readonly hub = new LogHub();
  private readonly waiters = new Map<number, ((record: T) => void)[]>();

  constructor(private readonly store: BuildLogStore) {}

  write(id: number, ...lines: string[]) {
    this.store.append(id, lines);
    for (const line of lines) this.hub.publish(id, line);
  }

  read(id: number) {
    return this.store.read(id);
  }

  /** Ends the log: followers are told, waiters get `record`. */
  close(id: number, record: T) {
    this.hub.finish(id);
    for (const resolve of this.waiters.get(id) ?? []) resolve(record);
    this.waiters.delete(id);
  }

  wait(id: number, current: T, finished: boolean): Promise<T> {
    if (finished) return Promise.resolve(current);
    return new Promise((resolve) => this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]));
  }

  follow(id: number, finished: boolean, onLine: (line: string) => void, onDone: () => void): () => void {
    const unsubscribe = this.hub.subscribe(id, (e) => (e.done ? onDone() : onLine(e.line!)));
    for (const line of this.store.read(id)) onLine(line);
    if (finished) {
      unsubscribe();
      onDone();
    }
    return unsubscribe;
  }
}
