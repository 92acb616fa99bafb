import { describe, expect, test } from "bun:test";
import { valueProblem } from "./variable-text.ts";

describe("variable values", () => {
  test("plain text, tabs and newlines (a PEM key) are fine", () => {
    expect(valueProblem("postgres://u:p@db/x")).toBeNull();
    expect(valueProblem("-----BEGIN KEY-----\nAAAA\tBBBB\n-----END KEY-----\n")).toBeNull();
    expect(valueProblem("héllo ✓ 日本")).toBeNull();
  });

  test("NUL, other C0 controls, DEL and C1 controls are refused, naming the character and not the value", () => {
    for (const [value, name] of [["a\u0000b", "U+0000"], ["\r\n", "U+000D"], ["x\u001b[31m", "U+001B"], ["\u007f", "U+007F"], ["\u0085", "U+0085"], ["\u009f", "U+009F"]]) {
      const problem = valueProblem(value!);
      expect(problem).toContain(name!);
      expect(problem).toContain("control character");
    }
    expect(valueProblem("secret-value\u0000")).not.toContain("secret-value");
  });
});
