import type { KubeConfig } from "../../src/adapters/runtime/k3s/kubeconfig.ts";

/** A kubeconfig as k3s writes it, for these PEM texts: what tests and `fleet init` would produce. */
export function kubeconfigYaml(config: Omit<KubeConfig, "context" | "user">, name = "default"): string {
  const b64 = (pem: string) => Buffer.from(pem).toString("base64");
  return [
    "apiVersion: v1",
    "clusters:",
    "- cluster:",
    `    certificate-authority-data: ${b64(config.ca)}`,
    `    server: ${config.server}`,
    `  name: ${name}`,
    "contexts:",
    "- context:",
    `    cluster: ${name}`,
    `    user: ${name}`,
    `  name: ${name}`,
    `current-context: ${name}`,
    "kind: Config",
    "preferences: {}",
    "users:",
    `- name: ${name}`,
    "  user:",
    `    client-certificate-data: ${b64(config.cert)}`,
    `    client-key-data: ${b64(config.key)}`,
    "",
  ].join("\n");
}
