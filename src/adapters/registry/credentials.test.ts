import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureCredentials } from "./credentials.ts";
import { registryFiles } from "./files.ts";

test("one password, kept 0600, and a bcrypt htpasswd line that checks it", async () => {
  const files = registryFiles(mkdtempSync(join(tmpdir(), "berth-registry-cred-")));
  const credentials = await ensureCredentials(files);
  expect(credentials.username).toBe("berth");
  expect(credentials.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
  for (const file of [files.password, files.htpasswd]) expect(statSync(file).mode & 0o777).toBe(0o600);
  const [user, hash] = readFileSync(files.htpasswd, "utf8").trim().split(":");
  expect(user).toBe("berth");
  expect(hash).toStartWith("$2b$04$");
  expect(await Bun.password.verify(credentials.password, hash!)).toBe(true);
  expect(await Bun.password.verify(`${credentials.password}x`, hash!)).toBe(false);

  const line = readFileSync(files.htpasswd, "utf8");
  expect(await ensureCredentials(files)).toEqual(credentials);
  expect(readFileSync(files.htpasswd, "utf8")).toBe(line);
});

test("an htpasswd that no longer matches the password is written again", async () => {
  const files = registryFiles(mkdtempSync(join(tmpdir(), "berth-registry-cred-")));
  const credentials = await ensureCredentials(files);
  writeFileSync(files.htpasswd, `berth:${await Bun.password.hash("something else", { algorithm: "bcrypt", cost: 4 })}\n`);
  await ensureCredentials(files);
  const hash = readFileSync(files.htpasswd, "utf8").trim().split(":")[1]!;
  expect(await Bun.password.verify(credentials.password, hash)).toBe(true);
});

test.each([["empty", ""], ["too short", "secret"], ["not base64url", "p4ss word p4ss word p4ss word p4"]])("a password file that is not Berth's (%s) is made anew, with its htpasswd line", async (_, text) => {
  const files = registryFiles(mkdtempSync(join(tmpdir(), "berth-registry-cred-")));
  await ensureCredentials(files);
  writeFileSync(files.password, `${text}\n`);
  const credentials = await ensureCredentials(files);
  expect(credentials.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
  expect(readFileSync(files.password, "utf8")).toBe(`${credentials.password}\n`);
  expect(statSync(files.password).mode & 0o777).toBe(0o600);
  expect(await Bun.password.verify(credentials.password, readFileSync(files.htpasswd, "utf8").trim().split(":")[1]!)).toBe(true);
});
