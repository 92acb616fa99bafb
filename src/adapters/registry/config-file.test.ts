import { expect, test } from "bun:test";
import { parse } from "yaml";
import { registryConfig } from "./config-file.ts";
import { registryFiles } from "./files.ts";
import { NODE_CA_FILE, registriesYaml } from "./registries-yaml.ts";

const files = registryFiles("/var/lib/berth");
const credentials = { username: "berth", password: "p4ssw0rd-p4ssw0rd-p4ssw0rd-p4ssw" };

test("Distribution's config: storage in the data dir, TLS from Berth's files, htpasswd auth, the same file every time", () => {
  const config = parse(registryConfig(files, ":5000", credentials));
  expect(config.storage.filesystem.rootdirectory).toBe("/var/lib/berth/registry/storage");
  expect(config.http.addr).toBe(":5000");
  expect(config.http.tls).toEqual({ certificate: "/var/lib/berth/registry/registry.crt", key: "/var/lib/berth/registry/registry.key", minimumtls: "tls1.2" });
  expect(config.auth).toEqual({ htpasswd: { realm: "berth-registry", path: "/var/lib/berth/registry/htpasswd" } });
  expect(config.http.secret).toMatch(/^[0-9a-f]{64}$/);
  expect(config.http.secret).not.toContain(credentials.password);
  expect(registryConfig(files, ":5000", credentials)).toBe(registryConfig(files, ":5000", credentials));
});

test("registries.yaml sends HOST:PORT images to the registry over HTTPS with its account and Berth's CA", () => {
  expect(parse(registriesYaml("10.0.0.5:5000", credentials))).toEqual({
    mirrors: { "10.0.0.5:5000": { endpoint: ["https://10.0.0.5:5000"] } },
    configs: { "10.0.0.5:5000": { auth: { username: "berth", password: credentials.password }, tls: { ca_file: NODE_CA_FILE } } },
  });
});
