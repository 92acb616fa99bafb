import { stringify } from "yaml";
import type { RegistryFiles } from "./files.ts";

/**
 * Distribution's config.yml: storage in the data dir, TLS from Berth's CA, htpasswd auth. The
 * HTTP secret (which signs upload state) is random, kept in its own file (`ensureHttpSecret`),
 * so the file is the same on every start and a restart does not break an upload a client
 * resumes, and knowing the secret tells nothing of the password.
 */
export function registryConfig(files: RegistryFiles, listen: string, httpSecret: string): string {
  return stringify({
    version: 0.1,
    log: { level: "info", accesslog: { disabled: true }, fields: { service: "berth-registry" } },
    storage: {
      filesystem: { rootdirectory: files.storage },
      // Nothing Berth does deletes from the registry, and with the one account every node holds, a node could delete what others pull.
      delete: { enabled: false },
      cache: { blobdescriptor: "inmemory" },
    },
    http: {
      addr: listen,
      secret: httpSecret,
      tls: { certificate: files.cert, key: files.key, minimumtls: "tls1.2" },
      headers: { "X-Content-Type-Options": ["nosniff"] },
    },
    auth: { htpasswd: { realm: "berth-registry", path: files.htpasswd } },
  });
}
