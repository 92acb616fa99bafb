import { join } from "node:path";

/** Where the registry keeps its files, all under `<dataDir>/registry`. */
export function registryFiles(dataDir: string) {
  const root = join(dataDir, "registry");
  return {
    root,
    /** Distribution's configuration; 0600, as it holds the HTTP secret. */
    config: join(root, "config.yml"),
    /** The CA every node and this machine's engine trust for the registry, and its key (0600). */
    caCert: join(root, "ca.crt"),
    caKey: join(root, "ca.key"),
    /** The registry's own certificate, signed by the CA, and its key (0600). */
    cert: join(root, "registry.crt"),
    key: join(root, "registry.key"),
    /** The bcrypt line Distribution checks, and the password it was made from (both 0600). */
    htpasswd: join(root, "htpasswd"),
    password: join(root, "password"),
    /** The random secret Distribution signs upload state with (0600). */
    httpSecret: join(root, "http-secret"),
    /** Image layers and manifests. */
    storage: join(root, "storage"),
    log: join(dataDir, "logs", "registry.log"),
  };
}

export type RegistryFiles = ReturnType<typeof registryFiles>;
