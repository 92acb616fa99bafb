import { describe, expect, test } from "bun:test";
import { formatBytes, LogCap } from "./log-cap.ts";

describe("LogCap", () => {
  test("admits lines up to the byte limit, then the notice once, then nothing", () => {
    const cap = new LogCap(10, "-- truncated --");
    expect(cap.admit(1, ["abcd", "efgh"])).toEqual(["abcd", "efgh"]); // 5 + 5 bytes with newlines
    expect(cap.truncated(1)).toBe(false);
    expect(cap.admit(1, ["i"])).toEqual(["-- truncated --"]);
    expect(cap.truncated(1)).toBe(true);
    expect(cap.admit(1, ["j", "k"])).toEqual([]);
  });

  test("counts bytes, not characters, and each log on its own", () => {
    const cap = new LogCap(8, "cut");
    expect(cap.admit(1, ["ééé"])).toEqual(["ééé"]); // 6 bytes + newline
    expect(cap.admit(1, ["é"])).toEqual(["cut"]);
    expect(cap.admit(2, ["1234567"])).toEqual(["1234567"]);
  });

  test("a line larger than the whole limit is replaced by the notice", () => {
    const cap = new LogCap(4, "cut");
    expect(cap.admit(7, ["ok", "far too long"])).toEqual(["ok", "cut"]);
  });

  test("forget clears a finished log", () => {
    const cap = new LogCap(2, "cut");
    cap.admit(1, ["xx"]);
    cap.forget(1);
    expect(cap.truncated(1)).toBe(false);
    expect(cap.admit(1, ["x"])).toEqual(["x"]);
  });

  test("formatBytes names sizes as the settings write them", () => {
    expect(formatBytes(10 * 1024 ** 2)).toBe("10Mi");
    expect(formatBytes(2 * 1024 ** 3)).toBe("2Gi");
    expect(formatBytes(1000)).toBe("1000 bytes");
  });
});
