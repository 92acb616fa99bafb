/** How fast a dead process is started again, and how fast that slows down when it keeps dying. */
export interface BackoffPolicy {
  /** Wait before the second restart in a row; the first one happens at once. */
  stepMs: number;
  factor: number;
  maxMs: number;
  /** A process that stayed up this long before dying starts the sequence over. */
  resetAfterMs: number;
}

/** The edge: back at once, then 0.5 s, 1 s, 2 s … never more than 30 s apart; forgiven after a healthy minute. */
export const EDGE_BACKOFF: BackoffPolicy = { stepMs: 500, factor: 2, maxMs: 30_000, resetAfterMs: 60_000 };

/**
 * Restart delays as a pure function of time (`now` is handed in), so the sequence is tested
 * without sleeping: `delay(now)` before each restart, `started(now)` once it is up again.
 */
export function createBackoff(policy: BackoffPolicy) {
  let attempt = 0;
  let upSince = Number.NEGATIVE_INFINITY;
  return {
    delay(now: number): number {
      if (now - upSince >= policy.resetAfterMs) attempt = 0;
      const wait = attempt === 0 ? 0 : Math.min(policy.maxMs, policy.stepMs * policy.factor ** (attempt - 1));
      attempt++;
      return wait;
    },
    started(now: number): void {
      upSince = now;
    },
  };
}
