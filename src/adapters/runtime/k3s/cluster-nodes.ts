import { BerthError } from "../../../core/errors.ts";
import type { ClusterNodes, ClusterNodeState, DrainResult } from "../../../ports/cluster-nodes.ts";
import type { KubeClient, LiveObject } from "./kube-client.ts";

export interface ClusterNodesOptions {
  /** Between two tries of an eviction a disruption budget refused, and between two looks for evicted pods. Default 5 s. */
  retryMs?: number;
  /** How long a pod's eviction is tried again while a budget refuses it. Default 60 s. */
  blockedWaitMs?: number;
  /** How long evicted pods get to leave the node (their grace period runs there). Default 120 s. */
  goneWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** The kubelet writes this annotation on a static pod's API copy: deleting or evicting it does nothing. */
const MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
const ROLE_LABEL = "node-role.kubernetes.io/";
const PRESSURES = ["MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable"];

const podName = (pod: LiveObject) => `${pod.metadata.namespace}/${pod.metadata.name}`;
const firstLine = (error: unknown) => String((error as Error).message ?? error).split("\n")[0]!;

/** A pod a drain leaves: its DaemonSet would start it again at once, and a mirror pod is the kubelet's own. */
export function staysOnDrain(pod: LiveObject): boolean {
  const owners = (pod.metadata as { ownerReferences?: { kind?: string }[] }).ownerReferences ?? [];
  return owners.some((o) => o.kind === "DaemonSet") || MIRROR_ANNOTATION in (pod.metadata.annotations ?? {});
}

/** A Node object as `fleet status` shows it. */
export function nodeState(node: LiveObject): ClusterNodeState {
  const conditions = (node.status?.conditions ?? []) as { type: string; status: string }[];
  const ready = conditions.find((c) => c.type === "Ready")?.status;
  return {
    name: node.metadata.name,
    ready: ready === "True" || ready === "False" ? ready : "Unknown",
    kubeletVersion: node.status?.nodeInfo?.kubeletVersion ?? "",
    roles: Object.keys(node.metadata.labels ?? {})
      .filter((label) => label.startsWith(ROLE_LABEL))
      .map((label) => label.slice(ROLE_LABEL.length))
      .sort(),
    pressure: PRESSURES.filter((type) => conditions.some((c) => c.type === type && c.status === "True")),
    unschedulable: node.spec?.unschedulable === true,
  };
}

/**
 * The `ClusterNodes` port over the Kubernetes client: cordon with a merge patch of
 * `spec.unschedulable` (the Node is k3s's object, not Berth's to apply), drain through the
 * Eviction subresource so PodDisruptionBudgets are honoured, as `kubectl drain` does.
 */
export function createClusterNodes(client: KubeClient, options: ClusterNodesOptions = {}): ClusterNodes {
  const retryMs = options.retryMs ?? 5_000;
  const blockedWaitMs = options.blockedWaitMs ?? 60_000;
  const goneWaitMs = options.goneWaitMs ?? 120_000;
  const sleep = options.sleep ?? ((ms: number) => Bun.sleep(ms));
  const now = options.now ?? Date.now;
  const podsOn = (node: string) => client.list("Pod", undefined, {}, { "spec.nodeName": node });

  /** One pod: evicted, gone already, or the line saying why not (a budget still refusing at the end of the wait, or an error). */
  async function evict(pod: LiveObject): Promise<"evicted" | "gone" | string> {
    const deadline = now() + blockedWaitMs;
    for (;;) {
      let answer;
      try {
        answer = await client.evict(pod.metadata.namespace!, pod.metadata.name);
      } catch (error) {
        return `${podName(pod)}: ${firstLine(error).replace(`evict pod ${podName(pod)}: `, "")}`;
      }
      if (answer.outcome !== "blocked") return answer.outcome;
      if (now() >= deadline) return `${podName(pod)}: still refused after ${Math.round(blockedWaitMs / 1000)} s: ${answer.message}`;
      await sleep(retryMs);
    }
  }

  return {
    async cordon(node) {
      try {
        await client.patch({ kind: "Node", name: node }, { spec: { unschedulable: true } });
        return true;
      } catch (error) {
        if (error instanceof BerthError && error.code === "not_found") return false;
        throw error;
      }
    },

    async drain(node): Promise<DrainResult> {
      const pods = (await podsOn(node)).filter((pod) => !staysOnDrain(pod));
      // Side by side: one pod waiting for its budget must not hold up the others.
      const outcomes = await Promise.all(pods.map(async (pod) => ({ pod, outcome: await evict(pod) })));
      const evicted = outcomes.filter((o) => o.outcome === "evicted").map((o) => o.pod);
      const failed = outcomes.filter((o) => o.outcome !== "evicted" && o.outcome !== "gone").map((o) => o.outcome);
      // An evicted pod still runs its grace period on the node: uninstalling k3s now would kill it mid-shutdown.
      const deadline = now() + goneWaitMs;
      let left = new Set(evicted.map((p) => p.metadata.uid ?? podName(p)));
      while (left.size > 0) {
        const still = (await podsOn(node)).filter((p) => left.has(p.metadata.uid ?? podName(p)));
        left = new Set(still.map((p) => p.metadata.uid ?? podName(p)));
        if (left.size === 0) break;
        if (now() >= deadline) {
          failed.push(...still.map((p) => `${podName(p)}: evicted, still shutting down after ${Math.round(goneWaitMs / 1000)} s`));
          break;
        }
        await sleep(retryMs);
      }
      return { evicted: evicted.map(podName), failed };
    },

    deleteNode: async (node) => client.remove({ kind: "Node", name: node }),

    async list() {
      return (await client.list("Node", undefined, {})).map(nodeState).sort((a, b) => a.name.localeCompare(b.name));
    },
  };
}
