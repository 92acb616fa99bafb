import type { ClusterNodes, ClusterNodeState } from "../../ports/cluster-nodes.ts";
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
  /** As recorded when each was set up, with what the cluster says of it: null when the cluster was not asked, did not answer or has no such Node. */
  nodes: (FleetNode & { cluster: ClusterNodeState | null })[];
  /** Nodes the cluster has that Berth did not set up (joined by hand). */
  unrecorded: ClusterNodeState[];
  /** Why the cluster was not asked (no fleet, no kubeconfig) or what went wrong asking it, in one line; absent when it answered. */
  clusterNote?: string;
}

/** The machines of the fleet: the server on this machine, agents joined and removed over SSH. */
export function createFleetNodes(deps: FleetNodesDeps) {
  return {
    init: (request: InitRequest) => initServer({ ...deps, root: "/" }, request),
    join: (request: JoinRequest) => joinNode(deps, request),
    remove: (name: string, options: RemoveOptions) => removeNode(deps, name, options),
    /**
     * At serve's start: runs the fleet's registry when the fleet exists, in the background. It
     * never fails the start: what went wrong is one log line, and `fleet init` tries again.
     * Returns what stops it at shutdown, whoever started it (this, or a `fleet init` since).
     */
    startRegistry(log: (line: string) => void): () => Promise<void> {
      const stop = () => deps.registry.stop();
      const server = deps.store.server();
      if (!server) return stop;
      const missing = deps.registry.missing();
      if (missing) {
        log(`fleet registry: not started: ${missing}`);
        return stop;
      }
      const started = deps.registry.start(new URL(server.url).hostname).then(
        (registry) => log(`fleet registry: ${registry.outcome} at https://${registry.address}`),
        (error: Error) => log(`fleet registry: not started: ${oneLine(error)}`),
      );
      return async () => {
        await started;
        await stop();
      };
    },
    async status(): Promise<FleetStatus> {
      const server = deps.store.server();
      const recorded = deps.store.nodes();
      let live: ClusterNodeState[] = [];
      let clusterNote: string | undefined;
      if (!server) clusterNote = "no fleet yet: berth fleet init installs the k3s server on this machine";
      else if (!deps.cluster) clusterNote = "this install has no cluster client";
      else {
        try {
          live = await deps.cluster.list();
        } catch (error) {
          // The records are still worth showing when k3s is down, or before its kubeconfig exists.
          clusterNote = String((error as Error).message ?? error).split("\n")[0];
        }
      }
      const byName = new Map(live.map((n) => [n.name, n]));
      const names = new Set(recorded.map((n) => n.name));
      return {
        server: server && { url: server.url, k3sVersion: server.k3sVersion, initialisedAt: server.initialisedAt },
        nodes: recorded.map((n) => ({ ...n, cluster: byName.get(n.name) ?? null })),
        unrecorded: live.filter((n) => !names.has(n.name)),
        ...(clusterNote && { clusterNote }),
      };
    },
  };
}

export type FleetNodes = ReturnType<typeof createFleetNodes>;

/** An error's first line and, when it has more (a program's log), its last: the line that usually says why. */
function oneLine(error: Error): string {
  const lines = String(error.message ?? error).trim().split("\n");
  return lines.length > 1 ? `${lines[0]} ${lines.at(-1)!.trim()}` : lines[0]!;
}
