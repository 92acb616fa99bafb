import { describe, expect, test } from "bun:test";
import { expectBerthError } from "../../../test/support/errors.ts";
import { checkPassword } from "./passwords.ts";

describe("password rules", () => {
  test("at least 10 characters", () => {
    expect(expectBerthError(() => checkPassword("Zq7#pLm2x", "ann"), "invalid").message).toBe("the password must have at least 10 characters");
    expect(() => checkPassword("Zq7#pLm2xV", "ann")).not.toThrow();
  });

  test("the common list is refused whatever the case", () => {
    for (const common of ["password123", "qwertyuiop", "1234567890", "QwertyUiop", "Liverpool123"]) {
      expect(expectBerthError(() => checkPassword(common, "ann"), "invalid").message).toContain("most common passwords");
    }
  });

  test("the user's own name is refused inside the password", () => {
    expect(expectBerthError(() => checkPassword("annabelle-42-x", "anna"), "invalid").message).toContain("user name");
  });
});
