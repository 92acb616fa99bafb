import { stringify } from "yaml";

/** Where k3s reads its settings and registry mirrors on every node. */
export const K3S_CONFIG = "/etc/rancher/k3s/config.yaml";
export const K3S_REGISTRIES = "/etc/rancher/k3s/registries.yaml";
/** The fleet registry's CA on every node, named by registries.yaml (the same path as the registry adapter's NODE_CA_FILE). */
export const NODE_REGISTRY_CA = "/etc/rancher/k3s/berth-registry-ca.crt";
export const K3S_BINARY = "/usr/local/bin/k3s";
/** The install script puts these beside the binary; each tells which role a machine runs. */
export const AGENT_UNINSTALL = "/usr/local/bin/k3s-agent-uninstall.sh";
export const SERVER_UNINSTALL = "/usr/local/bin/k3s-uninstall.sh";
export const IMAGES_DIR = "/var/lib/rancher/k3s/agent/images";
/** local-path's folder on every node: one `pvc-<uid>_<namespace>_<claim>` folder per volume. */
export const LOCAL_PATH_STORAGE = "/var/lib/rancher/k3s/storage";
export const API_PORT = 6443;
export const KUBELET_PORT = 10250;

const HEADER = "# Written by Berth (berth fleet); changed by hand, it is rewritten on the next run.\n";

/**
 * The agent's settings: where the server is and the token it joins with. The token lives only in
 * this file (mode 0600), never on a command line or in the install script's environment.
 */
export function agentConfig(input: { serverUrl: string; token: string; nodeName: string }): string {
  return HEADER + stringify({ server: input.serverUrl, token: input.token, "node-name": input.nodeName });
}

/**
 * The server's settings. `agent-token` is what agents join with: a leaked agent token lets a
 * machine join as an agent, never as a server. Traefik and servicelb are turned off on the
 * install script's command line (SERVER_INSTALL_ARGS), where `systemctl cat k3s` shows it.
 */
export function serverConfig(input: { token: string; agentToken: string; address: string; kubeconfig: string }): string {
  // k3s takes an IP for advertise-address; a host name goes in the certificate's names only.
  const ip = /^\d{1,3}(\.\d{1,3}){3}$/.test(input.address);
  return (
    HEADER +
    stringify({
      token: input.token,
      "agent-token": input.agentToken,
      ...(ip && { "advertise-address": input.address }),
      "tls-san": [input.address],
      "write-kubeconfig": input.kubeconfig,
      "write-kubeconfig-mode": "0600",
    })
  );
}
