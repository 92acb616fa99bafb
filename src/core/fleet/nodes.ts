import type { ClusterNodes } from "../../ports/cluster-nodes.ts";
import type { FleetNode } from "../../ports/fleet-store.ts";
import type { NodeShell } from "../../ports/node-shell.ts";
import { initServer, type InitDeps, type InitRequest } from "./init.ts";
import { joinNode, type JoinRequest } from "./join.ts";
import { removeNode, type RemoveOptions } from "./remove.ts";

/** What init needs (on this machine: root is "/"), and what join and remove add. */
export interface FleetNodesDeps extends Omit<InitDeps, "root" | "now"> {
  shell: NodeShell;
  namespaces: () => Map<string, string>;
  cluster?: ClusterNodes;
}

export interface FleetStatus {
  /** The server `fleet init` installed, without its tokens; null before init. */
  server: { url: string; k3sVersion: string; initialisedAt: string } | null;
  /** As recorded when each was set up (what the cluster says of them comes with the k3s client). */
  nodes: FleetNode[];
}

/** The machines of the fleet: the server on this machine, agents joined and removed over SSH. */
export function createFleetNodes(deps: FleetNodesDeps) {
  return {
    init: (request: InitRequest) => initServer({ ...deps, root: "/" }, request),
    join: (request: JoinRequest) => joinNode(deps, request),
    remove: (name: string, options: RemoveOptions) => removeNode(deps, name, options),
    status(): FleetStatus {
      const server = deps.store.server();
      return { server: server && { url: server.url, k3sVersion: server.k3sVersion, initialisedAt: server.initialisedAt }, nodes: deps.store.nodes() };
    },
  };
}

export type FleetNodes = ReturnType<typeof createFleetNodes>;
