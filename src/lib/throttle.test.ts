import { describe, expect, test } from "bun:test";
import { createLoginGuard, createThrottle, LOGIN_LIMITS, retryAfterSeconds, type LoginGuardSettings } from "./throttle.ts";

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

const limits = { maxFailures: 3, windowMs: 60_000, blockMs: 1_000, maxBlockMs: 8_000 };

describe("throttle", () => {
  test("blocks a key after N failures, for blockMs, and lets it try again after", () => {
    const c = clock();
    const t = createThrottle(limits, { capacity: 100, now: c.now });
    t.fail("a");
    t.fail("a");
    expect(t.retryAfterMs("a")).toBe(0);
    t.fail("a");
    expect(t.retryAfterMs("a")).toBe(1_000);
    c.advance(400);
    expect(t.retryAfterMs("a")).toBe(600);
    expect(t.retryAfterMs("b")).toBe(0);
    c.advance(600);
    expect(t.retryAfterMs("a")).toBe(0);
  });

  test("each failure after a block doubles the next one, up to the cap", () => {
    const c = clock();
    const t = createThrottle(limits, { capacity: 100, now: c.now });
    const blocks: number[] = [];
    for (let i = 0; i < 3; i++) t.fail("a");
    for (let i = 0; i < 5; i++) {
      const wait = t.retryAfterMs("a");
      blocks.push(wait);
      c.advance(wait);
      t.fail("a");
    }
    expect(blocks).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
  });

  test("failures are forgotten after a quiet window", () => {
    const c = clock();
    const t = createThrottle(limits, { capacity: 100, now: c.now });
    t.fail("a");
    t.fail("a");
    c.advance(60_001);
    t.fail("a");
    t.fail("a");
    expect(t.retryAfterMs("a")).toBe(0);
    t.fail("a");
    expect(t.retryAfterMs("a")).toBe(1_000);
  });

  test("memory is bounded: past capacity the least recently seen key is forgotten", () => {
    const c = clock();
    const t = createThrottle(limits, { capacity: 3, now: c.now });
    for (let i = 0; i < 3; i++) t.fail("old");
    for (const key of ["k1", "k2"]) t.fail(key);
    expect(t.retryAfterMs("old")).toBe(1_000); // a read counts as use
    for (const key of ["k3", "k4"]) t.fail(key);
    expect(t.size).toBe(3);
    expect(t.retryAfterMs("old")).toBe(1_000);
    for (let i = 0; i < 1000; i++) t.fail(`flood${i}`);
    expect(t.size).toBe(3);
    expect(t.retryAfterMs("old")).toBe(0);
  });
});

describe("login guard", () => {
  const settings: LoginGuardSettings = {
    perIp: { maxFailures: 3, windowMs: 60_000, blockMs: 10_000, maxBlockMs: 60_000 },
    perCredential: { maxFailures: 5, windowMs: 60_000, blockMs: 10_000, maxBlockMs: 60_000 },
    capacity: 1000,
    knownGoodMs: 3_600_000,
  };

  test("one IP guessing is blocked before the credential is, so the real user elsewhere gets in", () => {
    const c = clock();
    const guard = createLoginGuard(settings, c.now);
    for (let i = 0; i < 3; i++) {
      expect(guard.retryAfterMs("10.0.0.1", "ann")).toBe(0);
      guard.failed("10.0.0.1", "ann");
    }
    expect(guard.retryAfterMs("10.0.0.1", "ann")).toBe(10_000);
    expect(guard.retryAfterMs("10.0.0.1", "bob")).toBe(10_000);
    expect(guard.retryAfterMs("10.0.0.2", "ann")).toBe(0);
  });

  test("a credential guessed from many IPs is blocked for new IPs, not for one it logged in from", () => {
    const c = clock();
    const guard = createLoginGuard(settings, c.now);
    expect(guard.retryAfterMs("10.0.0.9", "ann")).toBe(0);
    guard.succeeded("10.0.0.9", "ann");
    for (let i = 0; i < 5; i++) guard.failed(`192.0.2.${i}`, "ann");
    expect(guard.retryAfterMs("198.51.100.1", "ann")).toBe(10_000);
    expect(guard.retryAfterMs("198.51.100.1", "bob")).toBe(0);
    expect(guard.retryAfterMs("10.0.0.9", "ann")).toBe(0);
    c.advance(3_600_000);
    expect(guard.retryAfterMs("10.0.0.9", "ann")).toBe(0); // the block is over by now
  });

  test("a success does not reset the counts it could launder", () => {
    const c = clock();
    const guard = createLoginGuard(settings, c.now);
    guard.failed("10.0.0.1", "ann");
    guard.failed("10.0.0.1", "ann");
    guard.succeeded("10.0.0.1", "mallory");
    guard.failed("10.0.0.1", "ann");
    expect(guard.retryAfterMs("10.0.0.1", "ann")).toBe(10_000);
  });

  test("a failure with no credential (a malformed attempt) counts against the IP only", () => {
    const c = clock();
    const guard = createLoginGuard(settings, c.now);
    for (let i = 0; i < 3; i++) guard.failed("10.0.0.1", null);
    expect(guard.retryAfterMs("10.0.0.1", null)).toBe(10_000);
    expect(guard.retryAfterMs("10.0.0.2", "ann")).toBe(0);
  });

  test("the shipped numbers: an IP gets 10 tries, a credential 30, blocks start at a minute and stop at 15", () => {
    expect(LOGIN_LIMITS.perIp.maxFailures).toBe(10);
    expect(LOGIN_LIMITS.perCredential.maxFailures).toBeGreaterThan(LOGIN_LIMITS.perIp.maxFailures);
    const c = clock();
    const guard = createLoginGuard(LOGIN_LIMITS, c.now);
    for (let i = 0; i < 10; i++) guard.failed("10.0.0.1", `user${i}`);
    expect(retryAfterSeconds(guard.retryAfterMs("10.0.0.1", "x"))).toBe(60);
    expect(retryAfterSeconds(1)).toBe(1);
  });
});
