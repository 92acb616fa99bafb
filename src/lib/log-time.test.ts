import { expect, test } from "bun:test";
import { engineSince, normalizeTime, timeFromMs } from "./log-time.ts";

test("engine times are padded to nine digits so text order is time order", () => {
  expect(normalizeTime("2026-12-02T05:24:36.1234Z")).toBe("2026-12-02T05:24:36.123400000Z");
  expect(normalizeTime("2026-12-02T05:24:36Z")).toBe("2026-12-02T05:24:36.000000000Z");
  expect(normalizeTime("2026-12-02T07:24:36.5+02:00")).toBe("2026-12-02T05:24:36.500000000Z");
  expect(normalizeTime("yesterday")).toBeNull();
  const a = normalizeTime("2026-12-02T05:24:36.9Z")!;
  const b = normalizeTime("2026-12-02T05:24:36.10Z")!;
  expect(a > b).toBe(true);
});

test("ms and engine forms", () => {
  expect(timeFromMs(Date.UTC(2026, 11, 2, 5, 24, 36, 7))).toBe("2026-12-02T05:24:36.007000000Z");
  expect(engineSince("2026-12-02T05:24:36.007000001Z")).toBe(`${Date.UTC(2026, 11, 2, 5, 24, 36) / 1000}.007000001`);
});
