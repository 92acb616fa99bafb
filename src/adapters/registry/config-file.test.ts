import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { registryConfig } from "./config-file.ts";
import { ensureHttpSecret } from "./credentials.ts";
import { registryFiles } from "./files.ts";
import { NODE_CA_FILE, registriesYaml } from "./registries-yaml.ts";

const files = registryFiles("/var/lib/berth");
const credentials = { username: "berth", password: "p4ssw0rd-p4ssw0rd-p4ssw0rd-p4ssw" };

const secret = "5e".repeat(32);

test("Distribution's config: storage in the data dir, TLS from Berth's files, htpasswd auth, the same file every time", () => {
  const config = parse(registryConfig(files, ":5000", secret));
  expect(config.storage.filesystem.rootdirectory).toBe("/var/lib/berth/registry/storage");
  expect(config.http.addr).toBe(":5000");
  expect(config.http.tls).toEqual({ certificate: "/var/lib/berth/registry/registry.crt", key: "/var/lib/berth/registry/registry.key", minimumtls: "tls1.2" });
  expect(config.auth).toEqual({ htpasswd: { realm: "berth-registry", path: "/var/lib/berth/registry/htpasswd" } });
  expect(config.http.secret).toBe(secret);
  expect(registryConfig(files, ":5000", secret)).toBe(registryConfig(files, ":5000", secret));
  // Berth never deletes through the registry, and every node holds the one account.
  expect(config.storage.delete).toEqual({ enabled: false });
});

test("the HTTP secret is random, made once, kept 0600 in its own file", () => {
  const own = registryFiles(mkdtempSync(join(tmpdir(), "berth-registry-secret-")));
  const first = ensureHttpSecret(own);
  expect(first).toMatch(/^[0-9a-f]{64}$/);
  expect(statSync(own.httpSecret).mode & 0o777).toBe(0o600);
  expect(readFileSync(own.httpSecret, "utf8").trim()).toBe(first);
  expect(ensureHttpSecret(own)).toBe(first);
  expect(ensureHttpSecret(registryFiles(mkdtempSync(join(tmpdir(), "berth-registry-secret-"))))).not.toBe(first);
});

test("registries.yaml sends HOST:PORT images to the registry over HTTPS with its account and Berth's CA", () => {
  expect(parse(registriesYaml("10.0.0.5:5000", credentials))).toEqual({
    mirrors: { "10.0.0.5:5000": { endpoint: ["https://10.0.0.5:5000"] } },
    configs: { "10.0.0.5:5000": { auth: { username: "berth", password: credentials.password }, tls: { ca_file: NODE_CA_FILE } } },
  });
});
