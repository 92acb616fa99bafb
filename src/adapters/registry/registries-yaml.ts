import { stringify } from "yaml";
import type { RegistryCredentials } from "./credentials.ts";

/** Where every node keeps the registry's CA, beside the registries.yaml that names it. */
export const NODE_CA_FILE = "/etc/rancher/k3s/berth-registry-ca.crt";

/**
 * `/etc/rancher/k3s/registries.yaml` for every node: images named `HOST:PORT/…` are pulled from
 * the registry over HTTPS, trusting only Berth's CA, with the registry's account. It holds the
 * password, so a node keeps it 0600 (root's), as k3s's own config.
 */
export function registriesYaml(address: string, credentials: RegistryCredentials, caFile = NODE_CA_FILE): string {
  return stringify({
    mirrors: { [address]: { endpoint: [`https://${address}`] } },
    configs: {
      [address]: {
        auth: { username: credentials.username, password: credentials.password },
        tls: { ca_file: caFile },
      },
    },
  });
}
