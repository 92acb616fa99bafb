import { expect, test } from "bun:test";
import { age, bytes, cut, filterRows, fitColumns, percent, rate, scrollWindow, tableLine, wrapLine, type Column } from "./format.ts";

test("figures read like top's", () => {
  expect(bytes(512)).toBe("512B");
  expect(bytes(786_432)).toBe("768K");
  expect(bytes(1_572_864)).toBe("1.5M");
  expect(bytes(null)).toBe("-");
  expect(percent(0.03)).toBe("0.0%");
  expect(percent(42.4)).toBe("42%");
  expect(rate(3.14159)).toBe("3.1");
  expect(rate(120.6)).toBe("121");
  expect(age("2026-01-01T00:00:00Z", Date.parse("2026-01-01T00:05:30Z"))).toBe("5m");
  expect(age(null)).toBe("-");
});

test("cells are cut with an ellipsis and padded", () => {
  expect(cut("abcdef", 4)).toBe("abc…");
  expect(cut("abc", 4)).toBe("abc");
  expect(tableLine(["web", "1.5%"], [5, 6], ["left", "right"])).toBe("web      1.5%");
});

interface Row {
  a: string;
  b: string;
  c: string;
}
const columns: Column<Row>[] = [
  { title: "NAME", cell: (r) => r.a, priority: 10 },
  { title: "URL", cell: (r) => r.b, priority: 5 },
  { title: "EXTRA", cell: (r) => r.c, priority: 1 },
];
const rows = [{ a: "web", b: "http://web.dev.shop.localhost:8080/", c: "something" }];

test("a wide terminal shows every column; a narrow one drops the least important first", () => {
  expect(fitColumns(columns, rows, 120).map((f) => f.column.title)).toEqual(["NAME", "URL", "EXTRA"]);
  const narrow = fitColumns(columns, rows, 30);
  expect(narrow.map((f) => f.column.title)).toEqual(["NAME", "URL"]);
  expect(narrow.reduce((sum, f) => sum + f.width + 2, 0)).toBeLessThanOrEqual(32);
});

test("filters match any cell, case-insensitively", () => {
  expect(filterRows(["Web", "api"], "WE", (r) => r)).toEqual(["Web"]);
  expect(filterRows(["Web", "api"], "", (r) => r)).toEqual(["Web", "api"]);
});

test("the window keeps the cursor visible", () => {
  expect(scrollWindow(5, 4, 10)).toEqual({ start: 0, end: 5 });
  expect(scrollWindow(100, 99, 10)).toEqual({ start: 90, end: 100 });
  expect(scrollWindow(100, 50, 10)).toEqual({ start: 45, end: 55 });
});

test("wrap breaks a long line into rows; without it the line is cut", () => {
  expect(wrapLine("abcdefgh", 3, true)).toEqual(["abc", "def", "gh"]);
  expect(wrapLine("abcdefgh", 3, false)).toEqual(["ab…"]);
});
