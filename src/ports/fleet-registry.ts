/** What every node of the fleet gets to pull from the fleet's registry. */
export interface NodeRegistryFiles {
  /** `/etc/rancher/k3s/registries.yaml`: the mirror, the account (so 0600) and where the CA is. */
  registriesYaml: string;
  /** The registry's CA, kept beside it (`NODE_CA_FILE`). */
  caPem: string;
}

/**
 * The fleet's registry as `fleet init`, `fleet join` and serve's start see it: it runs on the
 * server node, at the address agents reach that node at, on the port a setting gives.
 */
export interface FleetRegistryHost {
  /** Why the registry cannot run on this machine (its program is not installed), in one line; null when it can. */
  missing(): string | null;
  /** Makes or renews what the registry at `host` needs (CA, certificate, account) and returns what nodes get. */
  nodeFiles(host: string): Promise<NodeRegistryFiles>;
  /**
   * Runs the registry at `host` (stopping the one this process runs for another host) and has
   * this machine's engine trust it; `running` when it already ran there.
   */
  start(host: string): Promise<{ address: string; outcome: "started" | "running" }>;
  /** Stops the registry this process runs, if any. */
  stop(): Promise<void>;
}
