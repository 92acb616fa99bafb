type Listener = (event: { line?: string; done?: boolean }) => void;

/** Live build output: subscribers get each line as it is written, then `done`. */
export class LogHub {
  private readonly listeners = new Map<number, Set<Listener>>();

  subscribe(id: number, listener: Listener): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(id);
    };
  }

  publish(id: number, line: string) {
    for (const listener of this.listeners.get(id) ?? []) listener({ line });
  }

  finish(id: number) {
    for (const listener of this.listeners.get(id) ?? []) listener({ done: true });
    this.listeners.delete(id);
  }
}
