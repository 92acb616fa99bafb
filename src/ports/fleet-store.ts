/** The k3s server `fleet init` installed on this machine: where agents join, with what. */
export interface FleetServer {
  /** https://ADDRESS:6443, as agents reach it. */
  url: string;
  /** The server's own token and the agents' join token, sealed with the install's secret key. */
  tokenSealed: string;
  agentTokenSealed: string;
  k3sVersion: string;
  initialisedAt: string;
}

export type NodeRole = "server" | "agent";

/** A machine of the fleet, as recorded when it was set up. */
export interface FleetNode {
  /** The node's name in the cluster (its host name unless given). */
  name: string;
  /** ssh://user@host:port; "local" for the server on this machine. */
  address: string;
  /** SHA256:… of the SSH host key it presented when joined; empty for this machine. */
  hostKey: string;
  role: NodeRole;
  k3sVersion: string;
  joinedAt: string;
}

export interface FleetStore {
  server(): FleetServer | null;
  saveServer(server: FleetServer): void;
  nodes(): FleetNode[];
  node(name: string): FleetNode | null;
  /** Adds or replaces the node of that name. */
  putNode(node: FleetNode): void;
  removeNode(name: string): void;
}
