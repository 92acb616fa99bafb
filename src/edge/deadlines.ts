/**
 * One timer for every request waiting on an upstream, instead of a timer (and an
 * AbortController) each. All waits are equally long, so they expire in the order they began:
 * a Set keeps that order, and the single timer only ever sleeps until the oldest one.
 */
export interface Deadline {
  at: number;
  expire: () => void;
}

export type Deadlines = ReturnType<typeof createDeadlines>;

export function createDeadlines(ms: number, now: () => number = () => performance.now()) {
  const waiting = new Set<Deadline>();
  let timer: ReturnType<typeof setTimeout> | null = null;

  function arm() {
    timer = null;
    const oldest = waiting.values().next().value as Deadline | undefined;
    if (!oldest) return;
    timer = setTimeout(fire, Math.max(1, oldest.at - now()));
    // A process with nothing else to do may exit while requests wait; the edge's listeners keep it alive.
    timer.unref?.();
  }

  function fire() {
    const at = now();
    for (const deadline of waiting) {
      if (deadline.at > at) break;
      waiting.delete(deadline);
      deadline.expire();
    }
    arm();
  }

  return {
    /** `expire` runs once `ms` from `start` have passed, unless `clear` came first. */
    add(expire: () => void, start = now()): Deadline {
      const deadline = { at: start + ms, expire };
      waiting.add(deadline);
      if (!timer) arm();
      return deadline;
    },
    // The timer stays armed: when it fires it sleeps again until the next oldest.
    clear: (deadline: Deadline) => void waiting.delete(deadline),
  };
}
