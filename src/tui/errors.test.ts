import { expect, test } from "bun:test";
import { oneLine } from "./errors.ts";

test("errors flash as one line; a refused connection says what to check", () => {
  expect(oneLine(new Error("first\n    at stack (x.ts:1)"))).toBe("first");
  expect(oneLine(Object.assign(new Error("Unable to connect. Is the computer able to access the url?"), { code: "ConnectionRefused" }))).toContain("cannot reach the Berth API");
  expect(oneLine("plain")).toBe("plain");
});
