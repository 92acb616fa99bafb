import { createHmac } from "node:crypto";
import { stringify } from "yaml";
import type { RegistryCredentials } from "./credentials.ts";
import type { RegistryFiles } from "./files.ts";

/**
 * Distribution's config.yml: storage in the data dir, TLS from Berth's CA, htpasswd auth. The
 * HTTP secret (which signs upload state) comes from the password, so the file is the same on
 * every start and a restart does not break an upload a client resumes.
 */
export function registryConfig(files: RegistryFiles, listen: string, credentials: RegistryCredentials): string {
  return stringify({
    version: 0.1,
    log: { level: "info", accesslog: { disabled: true }, fields: { service: "berth-registry" } },
    storage: {
      filesystem: { rootdirectory: files.storage },
      // Garbage collection runs offline (`docker-registry garbage-collect`), after deletes through the API.
      delete: { enabled: true },
      cache: { blobdescriptor: "inmemory" },
    },
    http: {
      addr: listen,
      secret: createHmac("sha256", credentials.password).update("berth registry http secret").digest("hex"),
      tls: { certificate: files.cert, key: files.key, minimumtls: "tls1.2" },
      headers: { "X-Content-Type-Options": ["nosniff"] },
    },
    auth: { htpasswd: { realm: "berth-registry", path: files.htpasswd } },
  });
}
