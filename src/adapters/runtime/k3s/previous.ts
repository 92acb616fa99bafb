import type { KubeClient, KubeKind, LiveObject } from "./kube-client.ts";
import { MANAGED_BY } from "./names.ts";
import type { KubeObject } from "./object.ts";

/** Kinds an apply prunes and a removal deletes, in that order; claims only when purging. */
export const OWNED_KINDS: KubeKind[] = ["CronJob", "Job", "Deployment", "Service", "NetworkPolicy", "Secret"];

/** What a block is made of that a failed rollout puts back; Secrets stay until a prune, claims always. */
export const RESTORED_KINDS: KubeKind[] = ["Service", "NetworkPolicy", "Deployment"];

/** Labels every object of one environment carries. */
export const environmentLabels = (project: string, environment: string) => ({ ...MANAGED_BY, "berth.project": project, "berth.environment": environment });

/** Annotations the cluster writes itself: applying them back would claim them for Berth. */
const SERVER_ANNOTATIONS = /^(deployment\.kubernetes\.io\/|kubectl\.kubernetes\.io\/last-applied)/;

/**
 * An object read from the cluster as Berth would apply it: the server's bookkeeping (uid,
 * resourceVersion, managed fields, status) left out.
 */
export function reapplicable(live: LiveObject): KubeObject {
  const { apiVersion, kind, metadata, status: _status, ...rest } = live;
  const annotations = Object.entries(metadata.annotations ?? {}).filter(([name]) => !SERVER_ANNOTATIONS.test(name));
  return {
    apiVersion,
    kind,
    metadata: {
      name: metadata.name,
      ...(metadata.namespace !== undefined && { namespace: metadata.namespace }),
      labels: metadata.labels ?? {},
      ...(annotations.length > 0 && { annotations: Object.fromEntries(annotations) }),
    },
    ...rest,
  };
}

/**
 * The objects of each block before an apply, by block: what a failed rollout of that block puts
 * back, and what discarding the release must not delete (it was there before).
 */
export type Previous = Map<string, LiveObject[]>;

export async function readPrevious(client: KubeClient, namespace: string, project: string, environment: string): Promise<Previous> {
  const previous: Previous = new Map();
  const lists = await Promise.all(OWNED_KINDS.map((kind) => client.list(kind, namespace, environmentLabels(project, environment))));
  for (const object of lists.flat()) {
    const block = object.metadata.labels?.["berth.block"];
    if (block === undefined) continue;
    previous.set(block, [...(previous.get(block) ?? []), object]);
  }
  return previous;
}

/**
 * What discarding a release needs of `previous`, to keep for as long as the process runs: the
 * objects it applies again as they were (`restored`), whole; of every other (Secrets, Jobs) only
 * that it was there, its kind, name and labels. A Secret's values are not kept in memory after
 * the apply that read them.
 */
export function discardRecord(previous: Previous, restored: ReadonlySet<KubeKind>): Previous {
  const record: Previous = new Map();
  for (const [block, objects] of previous) {
    record.set(
      block,
      objects.map((object) =>
        restored.has(object.kind as KubeKind) ? object : { apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, namespace: object.metadata.namespace, labels: object.metadata.labels } },
      ),
    );
  }
  return record;
}
