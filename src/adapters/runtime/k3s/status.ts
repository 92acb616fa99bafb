import type { BlockRuntimeStatus, ReplicaState, Upstream } from "../../../ports/runtime.ts";
import type { KubeClient, LiveObject } from "./kube-client.ts";
import { environmentLabels } from "./previous.ts";
import { type PodView, STUCK_REASONS, lastLines, podView, rolledOut } from "./rollout.ts";

/** A Service's address inside the cluster: where the edge sends a block's traffic. */
export function serviceUpstreams(service: LiveObject | undefined): Upstream[] {
  const ip = service?.spec?.clusterIP as string | undefined;
  const port = (service?.spec?.ports as { port: number }[] | undefined)?.[0]?.port;
  return ip && ip !== "None" && port !== undefined ? [{ host: ip, port }] : [];
}

function stateOf(deployment: LiveObject, pods: PodView[]): ReplicaState {
  const wanted = deployment.spec?.replicas ?? 1;
  if (wanted === 0) return "stopped";
  if (pods.some((pod) => pod.waiting === "CrashLoopBackOff")) return "crashloop";
  if (pods.some((pod) => pod.waiting !== undefined && STUCK_REASONS.has(pod.waiting))) return "failed";
  return rolledOut(deployment) ? "running" : "deploying";
}

/**
 * One row per Deployment of the environment, from three list calls (Deployments, Services,
 * pods); with `crashes`, the log lines of the most restarted pod of a block that restarts.
 */
export async function environmentStatus(client: KubeClient, namespace: string, project: string, environment: string, crashes: boolean, logLines: number): Promise<BlockRuntimeStatus[]> {
  const labels = environmentLabels(project, environment);
  const [deployments, services, pods] = await Promise.all([client.list("Deployment", namespace, labels), client.list("Service", namespace, labels), client.list("Pod", namespace, labels)]);
  const podsOf = (block: string) =>
    pods.filter((pod) => pod.metadata.labels?.["berth.block"] === block && pod.metadata.labels?.["batch.kubernetes.io/job-name"] === undefined).map(podView);
  const rows = deployments.map(async (deployment): Promise<BlockRuntimeStatus> => {
    const block = deployment.metadata.labels["berth.block"] ?? deployment.metadata.name;
    const own = podsOf(block);
    const state = stateOf(deployment, own);
    const ready = deployment.status?.readyReplicas ?? 0;
    const restarts = own.reduce((sum, pod) => sum + pod.restarts, 0);
    const worst = own.reduce<PodView | null>((w, pod) => (pod.restarts > (w?.restarts ?? 0) || (pod.waiting && !w) ? pod : w), null);
    const release = Number(deployment.metadata.labels["berth.release"]);
    const container = (deployment.spec?.template?.spec?.containers as { image?: string }[] | undefined)?.[0];
    return {
      block,
      state,
      ready,
      wanted: deployment.spec?.replicas ?? 1,
      image: container?.image ?? null,
      release: Number.isInteger(release) ? release : null,
      // The Service balances over ready pods only: it is an upstream while any is ready.
      upstreams: ready > 0 ? serviceUpstreams(services.find((s) => s.metadata.name === block)) : [],
      restarts,
      lastLog: crashes && worst && (state === "crashloop" || restarts > 0) ? await lastLines(client, namespace, worst, logLines) : [],
    };
  });
  return (await Promise.all(rows)).sort((a, b) => a.block.localeCompare(b.block));
}
