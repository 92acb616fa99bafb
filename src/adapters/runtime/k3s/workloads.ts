import type { FleetBlock } from "../../../ports/fleet.ts";
import { blockSelector, claimName, MANAGED_BY, objectLabels } from "./names.ts";
import type { KubeObject, RenderPlace } from "./object.ts";
import { podSpec } from "./pod.ts";

/**
 * A block's Deployment. Rolling, never below the ready count (maxUnavailable 0), like the docker
 * runtime's start-new-then-stop-old; a block with volumes stops the old pod first (Recreate), since
 * its ReadWriteOnce claims cannot be mounted by two pods on two nodes.
 */
export function deployment(place: RenderPlace, block: FleetBlock): KubeObject {
  const selector = blockSelector(place.project, place.environment, block.block);
  const strategy = block.volumes.length > 0 ? { type: "Recreate" } : { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: block.block, namespace: place.namespace, labels: objectLabels(place.project, place.environment, place.release, block.block) },
    spec: {
      replicas: block.replicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: selector },
      strategy,
      template: {
        // No release label here: a block whose config hash did not change keeps its pods, as on docker.
        metadata: { labels: { ...MANAGED_BY, ...selector }, annotations: { "berth.hash": block.hash } },
        spec: podSpec(block, "Always"),
      },
    },
  };
}

/** A ClusterIP Service on the block's port: other blocks reach it by its name, as on docker's network. */
export function service(place: RenderPlace, block: FleetBlock & { port: number }): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: block.block, namespace: place.namespace, labels: objectLabels(place.project, place.environment, place.release, block.block) },
    spec: {
      type: "ClusterIP",
      selector: blockSelector(place.project, place.environment, block.block),
      ports: [{ name: "main", port: block.port, targetPort: "main", protocol: "TCP" }],
    },
  };
}

/** One claim per volume on k3s's local-path storage: the data stays on the node that first ran the pod. */
export function claims(place: RenderPlace, block: FleetBlock): KubeObject[] {
  return block.volumes.map((volume) => ({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name: claimName(block.block, volume.path),
      namespace: place.namespace,
      labels: objectLabels(place.project, place.environment, place.release, block.block),
      annotations: { "berth.volume-path": volume.path },
    },
    spec: { accessModes: ["ReadWriteOnce"], storageClassName: "local-path", resources: { requests: { storage: volume.size } } },
  }));
}
