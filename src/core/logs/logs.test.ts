import { expect, test } from "bun:test";
import { parseGrep, parseTime } from "./logs.ts";

const NOW = Date.UTC(2026, 0, 31, 12, 0, 0);

test("--since takes a duration back from now or an RFC 3339 time, and names what is wrong", () => {
  expect(parseTime("since", "10m", NOW)).toBe("2026-01-31T11:50:00.000000000Z");
  expect(parseTime("since", "3d", NOW)).toBe("2026-01-28T12:00:00.000000000Z");
  expect(parseTime("until", "2026-01-31T13:00:00+01:00", NOW)).toBe("2026-01-31T12:00:00.000000000Z");
  expect(() => parseTime("since", "yesterday", NOW)).toThrow('since: expected a duration such as 10m, 2h or 3d, or a time such as 2026-01-31T12:00:00Z; got "yesterday"');
  expect(() => parseTime("since", "10y", NOW)).toThrow("since: expected a duration");
});

test("--grep is a regular expression; (?i) ignores case; a broken one is refused in one line", () => {
  expect(parseGrep("time(out)?").test("a timeout")).toBe(true);
  expect(parseGrep("(?i)ERROR").test("an error")).toBe(true);
  expect(parseGrep("ERROR").test("an error")).toBe(false);
  expect(() => parseGrep("(")).toThrow("grep: not a regular expression");
  expect(() => parseGrep("x".repeat(501))).toThrow("grep: at most 500 characters");
});
