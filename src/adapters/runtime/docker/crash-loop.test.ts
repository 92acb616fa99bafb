import { describe, expect, test } from "bun:test";
import { isCrashLooping, LOOP_RESTARTS, STABLE_MS } from "./crash-loop.ts";

const now = 1_000_000_000;

describe("crash loop detection from restart counts", () => {
  test("a replica restarted again and again and up only briefly is looping", () => {
    expect(isCrashLooping({ state: "running", restarts: LOOP_RESTARTS, startedAt: now - 3_000 }, now)).toBe(true);
    expect(isCrashLooping({ state: "restarting", restarts: 7, startedAt: now - 60_000 }, now)).toBe(true);
  });

  test("no restarts, or a single one, is not a loop", () => {
    expect(isCrashLooping({ state: "running", restarts: 0, startedAt: now - 1_000 }, now)).toBe(false);
    expect(isCrashLooping({ state: "running", restarts: 1, startedAt: now - 1_000 }, now)).toBe(false);
    expect(isCrashLooping({ state: "restarting", restarts: 1 }, now)).toBe(false);
  });

  test("a replica that has stayed up for the stable period since its last restart stopped looping", () => {
    expect(isCrashLooping({ state: "running", restarts: 9, startedAt: now - STABLE_MS }, now)).toBe(false);
    expect(isCrashLooping({ state: "running", restarts: 9, startedAt: now - STABLE_MS + 1 }, now)).toBe(true);
  });

  test("a replica someone stopped is stopped, not looping", () => {
    expect(isCrashLooping({ state: "exited", restarts: 9, startedAt: now - 1_000 }, now)).toBe(false);
  });
});
