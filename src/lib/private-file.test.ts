import { expect, test } from "bun:test";
import { chmodSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writePrivate, writePublic } from "./private-file.ts";

test("a private file replaces the old one whole, 0600 even where a looser file was, and leaves no temporary file", () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-private-file-"));
  const path = join(dir, "sub", "key.pem");
  writePrivate(path, "first\n");
  expect(readFileSync(path, "utf8")).toBe("first\n");
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(statSync(join(dir, "sub")).mode & 0o777).toBe(0o700);

  chmodSync(path, 0o644);
  // A reader that opened the old file reads the old text to its end: the new text is a new file, renamed over it.
  const reader = openSync(path, "r");
  writePrivate(path, "second, longer\n");
  const old = Buffer.alloc(64);
  expect(old.subarray(0, readSync(reader, old)).toString()).toBe("first\n");
  expect(readFileSync(path, "utf8")).toBe("second, longer\n");
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(readdirSync(join(dir, "sub"))).toEqual(["key.pem"]);
});

test("a public file is 0644, written whole", () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-private-file-"));
  const path = join(dir, "ca.crt");
  writeFileSync(path, "old", { mode: 0o600 });
  writePublic(path, "cert\n");
  expect(readFileSync(path, "utf8")).toBe("cert\n");
  expect(statSync(path).mode & 0o777).toBe(0o644);
  expect(readdirSync(dir)).toEqual(["ca.crt"]);
});
