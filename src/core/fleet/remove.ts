import { BerthError, conflict, invalid, notFound } from "../errors.ts";
import type { ClusterNodes } from "../../ports/cluster-nodes.ts";
import type { FleetNode, FleetStore } from "../../ports/fleet-store.ts";
import type { NodeShell } from "../../ports/node-shell.ts";
import { parseNodeAddress } from "./node-address.ts";
import { AGENT_UNINSTALL, LOCAL_PATH_STORAGE, SERVER_UNINSTALL } from "./node-config.ts";
import { nodeOps } from "./node-ops.ts";

export interface RemoveDeps {
  store: FleetStore;
  shell: NodeShell;
  /** The cluster's side (cordon, drain, delete the Node); absent, remove says what it could not do. */
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
  /** Remove even though services keep local-path data on the node (it is deleted), or pods could not be drained (they stop with k3s). */
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
        notes.push(...(await cordonAndDrain(deps.cluster, name, options.force === true)));
      } else {
        notes.push(`not cordoned nor drained: no cluster client; its pods stop with k3s`);
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
  if (deps.cluster) {
    // k3s is gone from the machine by now: a cluster that does not answer must not keep the record of a node that no longer runs.
    const deleted = await deps.cluster.deleteNode(name).catch((error: Error) => {
      notes.push(`the Node object stays in the cluster (${firstLine(error)}): delete it with k3s kubectl delete node ${name}`);
      return null;
    });
    if (deleted === false) notes.push(`the cluster had no Node ${name} to delete`);
  } else {
    notes.push(`the Node object stays in the cluster: delete it with k3s kubectl delete node ${name}`);
  }
  deps.store.removeNode(name);
  return { node, volumes, notes };
}

const firstLine = (error: unknown) => String((error as Error).message ?? error).split("\n")[0]!;

/**
 * Cordons the node and evicts its pods before k3s is uninstalled there. A pod that could not be
 * evicted (its disruption budget kept refusing, or it would not stop) refuses the removal, one
 * line per pod, unless forced: then those pods stop with k3s, and the notes say which.
 */
async function cordonAndDrain(cluster: ClusterNodes, name: string, force: boolean): Promise<string[]> {
  let cordoned: boolean;
  try {
    cordoned = await cluster.cordon(name);
  } catch (error) {
    if (!force) throw new BerthError("unavailable", `node ${name} could not be cordoned: ${firstLine(error)}; pass --force to uninstall k3s without draining it (its pods stop with k3s)`);
    return [`not cordoned nor drained (${firstLine(error)}): its pods stop with k3s`];
  }
  if (!cordoned) return [`the cluster has no Node ${name}: nothing to cordon or drain`];
  let drained: Awaited<ReturnType<ClusterNodes["drain"]>>;
  try {
    drained = await cluster.drain(name);
  } catch (error) {
    if (!force) throw new BerthError("unavailable", `node ${name} could not be drained (it stays cordoned): ${firstLine(error)}; pass --force to uninstall k3s anyway (its pods stop with k3s)`);
    return [`cordoned, not drained (${firstLine(error)}): its pods stop with k3s`];
  }
  if (drained.failed.length === 0) return drained.evicted.length ? [`drained: ${drained.evicted.length} pod(s) evicted`] : [];
  if (!force) {
    throw conflict(`node ${name} could not be drained (it stays cordoned); pass --force to uninstall k3s anyway, and these pods stop with it:\n${drained.failed.map((line) => `  ${line}`).join("\n")}`);
  }
  return drained.failed.map((line) => `not evicted, stopped with k3s: ${line}`);
}
