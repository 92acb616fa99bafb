/** Restarts after going live that make a crash loop rather than a one-off crash. */
export const LOOP_RESTARTS = 2;
/** A replica up this long since its last restart has stopped looping. */
export const STABLE_MS = 5 * 60_000;

export interface RestartFacts {
  /** Engine state: running, restarting (waiting out the engine's back-off), exited… */
  state: string;
  /** Restarts the engine made; replicas only get a restart policy once healthy, so all came after rollout. */
  restarts?: number;
  /** Milliseconds since the epoch of the last (re)start. */
  startedAt?: number;
}

/**
 * A replica keeps dying: restarted at least LOOP_RESTARTS times and either waiting for its next
 * restart or up for less than STABLE_MS since the last one. One crash a week ago is not a loop.
 */
export function isCrashLooping(replica: RestartFacts, now: number): boolean {
  if ((replica.restarts ?? 0) < LOOP_RESTARTS) return false;
  if (replica.state === "restarting") return true;
  if (replica.state !== "running") return false;
  return replica.startedAt === undefined || now - replica.startedAt < STABLE_MS;
}
