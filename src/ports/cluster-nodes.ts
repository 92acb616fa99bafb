/**
 * What fleet mode asks of the cluster about its nodes, answered by the Kubernetes client of the
 * k3s runtime. `fleet remove` cordons and drains a node through it before uninstalling k3s there,
 * then deletes its Node object.
 */
export interface ClusterNodes {
  /** Marks the node unschedulable: no new pod lands there. */
  cordon(node: string): Promise<void>;
  /** Evicts the node's pods (daemon sets' pods stay), so they start elsewhere. */
  drain(node: string): Promise<void>;
  /** Deletes the Node object once k3s is gone from it. */
  deleteNode(node: string): Promise<void>;
}
