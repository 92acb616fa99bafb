import { describe, expect, test } from "bun:test";
import { createBackoff, EDGE_BACKOFF } from "./restart-backoff.ts";

describe("edge restart back-off", () => {
  test("the first restart is immediate, later ones double up to the cap", () => {
    const backoff = createBackoff(EDGE_BACKOFF);
    let now = 0;
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      const wait = backoff.delay(now);
      delays.push(wait);
      now += wait + 100;
      // Each restart comes up, then dies again after 100 ms: a crash loop.
      backoff.started(now);
      now += 100;
    }
    expect(delays).toEqual([0, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  test("a process that stayed up for the reset period is restarted at once again", () => {
    const backoff = createBackoff(EDGE_BACKOFF);
    expect(backoff.delay(0)).toBe(0);
    backoff.started(10);
    expect(backoff.delay(20)).toBe(500);
    backoff.started(600);
    expect(backoff.delay(600 + EDGE_BACKOFF.resetAfterMs - 1)).toBe(1000);
    backoff.started(70_000);
    expect(backoff.delay(70_000 + EDGE_BACKOFF.resetAfterMs)).toBe(0);
  });
});
