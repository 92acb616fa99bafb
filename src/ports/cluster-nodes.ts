/** What the cluster says of one node: its Node object's status, in the few words `fleet status` shows. */
export interface ClusterNodeState {
  name: string;
  /** The Ready condition: "True", "False" (the kubelet says it is not), "Unknown" (it stopped reporting). */
  ready: "True" | "False" | "Unknown";
  kubeletVersion: string;
  /** From the `node-role.kubernetes.io/<role>` labels, e.g. control-plane, master. */
  roles: string[];
  /** Pressure conditions that hold now: MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable. */
  pressure: string[];
  /** Cordoned: no new pod is scheduled there. */
  unschedulable: boolean;
}

/** What a drain did: pods evicted, and one line per pod that could not be (with why). */
export interface DrainResult {
  evicted: string[];
  failed: string[];
}

/**
 * What fleet mode asks of the cluster about its nodes, answered by the Kubernetes client of the
 * k3s runtime. `fleet remove` cordons and drains a node through it before uninstalling k3s there,
 * then deletes its Node object; `fleet status` lists what the cluster says of each node.
 */
export interface ClusterNodes {
  /** Marks the node unschedulable: no new pod lands there. False when the cluster has no such Node. */
  cordon(node: string): Promise<boolean>;
  /** Evicts the node's pods (daemon sets' and mirror pods stay), so they start elsewhere. */
  drain(node: string): Promise<DrainResult>;
  /** Deletes the Node object once k3s is gone from it; false when there was none. */
  deleteNode(node: string): Promise<boolean>;
  /** Every Node the cluster knows. */
  list(): Promise<ClusterNodeState[]>;
}
