import { conflict, invalid, notFound } from "../errors.ts";
import type { ClusterNodes } from "../../ports/cluster-nodes.ts";
import type { FleetNode, FleetStore } from "../../ports/fleet-store.ts";
import type { NodeShell } from "../../ports/node-shell.ts";
import { parseNodeAddress } from "./node-address.ts";
import { AGENT_UNINSTALL, LOCAL_PATH_STORAGE, SERVER_UNINSTALL } from "./node-config.ts";
import { nodeOps } from "./node-ops.ts";

export interface RemoveDeps {
  store: FleetStore;
  shell: NodeShell;
  /** The cluster's side (cordon, drain, delete the Node); absent until the k3s client is wired. */
  cluster?: ClusterNodes;
  /** Berth's namespaces, each to "project/environment". */
  namespaces: () => Map<string, string>;
}

/** A local-path volume found on a node. */
export interface HeldVolume {
  namespace: string;
  claim: string;
  /** project/environment, when the namespace is one of Berth's. */
  environment?: string;
  block?: string;
}

export interface RemoveOptions {
  /** Needed unless `forget`: the uninstall runs over SSH. */
  privateKey?: string;
  /** Remove even though services keep local-path data on the node (it is deleted). */
  force?: boolean;
  /** The machine is gone: forget it without connecting (nothing is uninstalled). */
  forget?: boolean;
}

export interface RemoveResult {
  node: FleetNode;
  /** Volumes the node held (deleted with it when forced). */
  volumes: HeldVolume[];
  notes: string[];
}

/** local-path names each volume's folder `pvc-<uid>_<namespace>_<claim>`. */
export function parseVolumeFolder(folder: string, namespaces: Map<string, string>): HeldVolume | null {
  const match = /^pvc-[0-9a-f-]+_([a-z0-9-]+)_([a-z0-9.-]+)$/.exec(folder);
  if (!match) return null;
  const [, namespace, claim] = match as unknown as [string, string, string];
  const environment = namespaces.get(namespace);
  // Berth names claims <block>-data-<8 hex of the mount path>.
  const block = /^(.+)-data-[0-9a-f]{8}$/.exec(claim)?.[1];
  return { namespace, claim, ...(environment && { environment }), ...(environment && block && { block }) };
}

export const describeVolume = (v: HeldVolume) => (v.environment && v.block ? `${v.environment} block ${v.block} (claim ${v.claim})` : `${v.namespace}/${v.claim}`);

/**
 * `fleet remove NODE`: refuses while services keep local-path data there (it would go with the
 * node) unless forced; otherwise cordons and drains it, uninstalls k3s over SSH and forgets it.
 */
export async function removeNode(deps: RemoveDeps, name: string, options: RemoveOptions): Promise<RemoveResult> {
  const node = deps.store.node(name);
  if (!node) throw notFound(`node ${name}`);
  if (node.role === "server") throw invalid(`node ${name} is the k3s server on this machine: it cannot be removed from its own fleet`);
  const notes: string[] = [];
  let volumes: HeldVolume[] = [];
  if (options.forget) {
    // The machine is gone (or will be wiped): nothing to ask it, nothing to uninstall.
    notes.push(`${node.address} was not contacted: should it come back, k3s still runs there until ${AGENT_UNINSTALL}`);
  } else {
    if (!options.privateKey) throw invalid(`uninstalling k3s from node ${name} needs its SSH key (or --forget for a machine that is gone)`);
    const address = parseNodeAddress(node.address);
    const session = await deps.shell.connect({ ...address, privateKey: options.privateKey, hostKey: node.hostKey });
    try {
      const ops = nodeOps(session, node.address);
      const facts = await ops.probe(address.user, { server: SERVER_UNINSTALL, agent: AGENT_UNINSTALL });
      const namespaces = deps.namespaces();
      volumes = (await ops.list(LOCAL_PATH_STORAGE)).map((f) => parseVolumeFolder(f, namespaces)).filter((v) => v !== null);
      if (volumes.length && !options.force) {
        throw conflict(`node ${name} holds service data: ${volumes.map(describeVolume).join(", ")}; move those services first, or pass --force to remove the node and delete that data`);
      }
      if (deps.cluster) {
        await deps.cluster.cordon(name);
        await deps.cluster.drain(name);
      } else {
        notes.push(`not cordoned nor drained: Berth does not talk to the cluster yet; its pods stop with k3s`);
      }
      if (facts.agent) {
        await ops.asRoot([AGENT_UNINSTALL], "the k3s agent uninstall script");
      } else {
        notes.push(`${AGENT_UNINSTALL} was not there: k3s was already uninstalled`);
      }
    } finally {
      session.close();
    }
  }
  if (deps.cluster) await deps.cluster.deleteNode(name);
  else notes.push(`the Node object stays in the cluster: delete it with k3s kubectl delete node ${name}`);
  deps.store.removeNode(name);
  return { node, volumes, notes };
}
