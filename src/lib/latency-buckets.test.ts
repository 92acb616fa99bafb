import { expect, test } from "bun:test";
import { histogramQuantile, LATENCY_BUCKETS } from "./latency-buckets.ts";

const empty = () => new Array<number>(LATENCY_BUCKETS.length + 1).fill(0);

test("a quantile interpolates inside the bucket that holds its rank", () => {
  const counts = empty();
  counts[5] = 100; // (0.05, 0.1]
  expect(histogramQuantile(0.5, counts)).toBeCloseTo(0.075, 6);
  expect(histogramQuantile(0.99, counts)).toBeCloseTo(0.0995, 6);
});

test("p95 lands in the slow tail when 10% of requests are slow", () => {
  const counts = empty();
  counts[1] = 90; // (0.001, 0.005]
  counts[8] = 10; // (0.5, 1]
  expect(histogramQuantile(0.5, counts)!).toBeLessThanOrEqual(0.005);
  expect(histogramQuantile(0.95, counts)!).toBeGreaterThan(0.5);
});

test("nothing counted has no quantile; +Inf answers the highest bound", () => {
  expect(histogramQuantile(0.95, empty())).toBeNull();
  const counts = empty();
  counts[LATENCY_BUCKETS.length] = 3;
  expect(histogramQuantile(0.5, counts)).toBe(30);
});
