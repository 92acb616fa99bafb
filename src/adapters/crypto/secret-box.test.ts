import { expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSecretBox, loadOrCreateKey } from "./secret-box.ts";

test("sealed values open with the key and hide the plain text", () => {
  const box = createSecretBox(randomBytes(32));
  const sealed = box.seal("hunter2");
  expect(sealed).not.toContain("hunter2");
  expect(box.seal("hunter2")).not.toBe(sealed);
  expect(box.open(sealed)).toBe("hunter2");
});

test("a tampered value or another key fails to open", () => {
  const box = createSecretBox(randomBytes(32));
  const sealed = box.seal("hunter2");
  const [version, iv, tag, body] = sealed.split(":");
  const bytes = Buffer.from(body!, "base64url");
  // Flip one bit of the ciphertext: the tampered value always differs from the sealed one.
  bytes[0]! ^= 0x01;
  const tampered = [version, iv, tag, bytes.toString("base64url")].join(":");
  expect(tampered).not.toBe(sealed);
  expect(() => box.open(tampered)).toThrow();
  expect(() => createSecretBox(randomBytes(32)).open(sealed)).toThrow();
});

test("the key file is created once, random, with mode 0600", () => {
  const path = join(mkdtempSync(join(tmpdir(), "berth-key-")), "secret.key");
  const key = loadOrCreateKey(path);
  expect(key.length).toBe(32);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(loadOrCreateKey(path).equals(key)).toBe(true);
});
