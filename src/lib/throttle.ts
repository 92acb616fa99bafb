/**
 * Back-off for login attempts, shared by the edge (website passwords, the gateway's
 * `POST /auth`) and the API (tokens). Pure and dependency-free: the clock is passed in, and
 * memory is bounded by a fixed number of remembered keys per map (least recently seen go first).
 */

export interface ThrottleLimits {
  /** Failures tolerated before the first block. */
  maxFailures: number;
  /** A key that stays quiet this long has its failures forgotten. */
  windowMs: number;
  /** The first block; each further failure after a block doubles it, up to `maxBlockMs`. */
  blockMs: number;
  maxBlockMs: number;
}

interface Entry {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
}

/** A Map that forgets its least recently used key past `capacity`. */
function boundedMap<V>(capacity: number) {
  const map = new Map<string, V>();
  return {
    get(key: string): V | undefined {
      const value = map.get(key);
      if (value !== undefined) {
        // Re-inserted so Map's insertion order doubles as recency order.
        map.delete(key);
        map.set(key, value);
      }
      return value;
    },
    set(key: string, value: V) {
      map.delete(key);
      map.set(key, value);
      if (map.size > capacity) map.delete(map.keys().next().value!);
    },
    delete: (key: string) => map.delete(key),
    get size() {
      return map.size;
    },
  };
}

/** Counts failures per key and blocks a key that fails too often, doubling the block each time. */
export function createThrottle(limits: ThrottleLimits, options: { capacity: number; now: () => number }) {
  const entries = boundedMap<Entry>(options.capacity);

  const live = (key: string, now: number): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.blockedUntil <= now && now - entry.lastFailureAt > limits.windowMs) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  return {
    /** Milliseconds until `key` may try again; 0 when it may now. */
    retryAfterMs(key: string): number {
      const now = options.now();
      const entry = live(key, now);
      return entry && entry.blockedUntil > now ? entry.blockedUntil - now : 0;
    },
    fail(key: string): void {
      const now = options.now();
      const entry = live(key, now) ?? { failures: 0, lastFailureAt: now, blockedUntil: 0 };
      entry.failures += 1;
      entry.lastFailureAt = now;
      const over = entry.failures - limits.maxFailures;
      if (over >= 0) entry.blockedUntil = now + Math.min(limits.maxBlockMs, limits.blockMs * 2 ** Math.min(over, 30));
      entries.set(key, entry);
    },
    get size() {
      return entries.size;
    },
  };
}

export interface LoginGuardSettings {
  perIp: ThrottleLimits;
  perCredential: ThrottleLimits;
  /** Keys remembered per map (IPs, credentials, known-good pairs). */
  capacity: number;
  /** How long a successful login from an IP lets that IP past its credential's block. */
  knownGoodMs: number;
}

/**
 * Documented in docs/deploy.md. One IP reaches its limit well before a credential does, so a
 * single source guessing never locks the real user out; a credential is blocked only when
 * many sources guess it, and even then not for an IP it has logged in from before.
 */
export const LOGIN_LIMITS: LoginGuardSettings = {
  perIp: { maxFailures: 10, windowMs: 15 * 60_000, blockMs: 60_000, maxBlockMs: 15 * 60_000 },
  perCredential: { maxFailures: 30, windowMs: 15 * 60_000, blockMs: 60_000, maxBlockMs: 15 * 60_000 },
  capacity: 10_000,
  knownGoodMs: 7 * 24 * 3_600_000,
};

/**
 * Per-IP and per-credential back-off for one kind of login. Ask `retryAfterMs` first and
 * refuse without checking the secret while it is above 0, so a blocked attempt costs the
 * same whatever it carries; then report the outcome with `failed` or `succeeded`.
 * `credential` names what is guessed (a user name, a client id, a token prefix), never the secret.
 */
export function createLoginGuard(settings: LoginGuardSettings = LOGIN_LIMITS, now: () => number = Date.now) {
  const options = { capacity: settings.capacity, now };
  const ips = createThrottle(settings.perIp, options);
  const credentials = createThrottle(settings.perCredential, options);
  const knownGood = boundedMap<number>(settings.capacity);
  const pair = (ip: string, credential: string) => `${credential}\n${ip}`;

  const isKnownGood = (ip: string, credential: string) => {
    const at = knownGood.get(pair(ip, credential));
    return at !== undefined && now() - at < settings.knownGoodMs;
  };

  return {
    retryAfterMs(ip: string, credential: string | null): number {
      const blockedIp = ips.retryAfterMs(ip);
      if (blockedIp > 0 || credential === null) return blockedIp;
      const blockedCredential = credentials.retryAfterMs(credential);
      return blockedCredential > 0 && !isKnownGood(ip, credential) ? blockedCredential : 0;
    },
    failed(ip: string, credential: string | null): void {
      ips.fail(ip);
      if (credential !== null) credentials.fail(credential);
    },
    /**
     * Counts are not reset: a success would otherwise launder guesses (at other accounts from
     * the same IP, or at a blocked credential from elsewhere). They fade after a quiet window.
     */
    succeeded(ip: string, credential: string): void {
      knownGood.set(pair(ip, credential), now());
    },
  };
}

export type LoginGuard = ReturnType<typeof createLoginGuard>;

/** Whole seconds for a `Retry-After` header, never 0 while blocked. */
export const retryAfterSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
