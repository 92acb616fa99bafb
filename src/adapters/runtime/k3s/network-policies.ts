import type { FleetBlock } from "../../../ports/fleet.ts";
import { blockSelector, objectLabels } from "./names.ts";
import type { KubeObject, RenderPlace } from "./object.ts";

const policy = (place: RenderPlace, name: string, spec: Record<string, unknown>, block?: string): KubeObject => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name, namespace: place.namespace, labels: objectLabels(place.project, place.environment, place.release, block) },
  spec,
});

/**
 * Nothing reaches a pod unless a policy lets it; the blocks of the environment reach each other
 * (as on docker's per-environment network). Outgoing traffic stays open: apps call the internet and DNS.
 */
export function isolation(place: RenderPlace): KubeObject[] {
  return [
    policy(place, "default-deny", { podSelector: {}, policyTypes: ["Ingress"] }),
    policy(place, "same-environment", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: {} }] }] }),
  ];
}

/**
 * The edge runs on the server node, outside the pod network: a routed block takes connections on
 * its port from any address but the pods' own range, so other environments' pods stay out.
 */
export function fromEdge(place: RenderPlace, block: FleetBlock & { port: number }, podCidr: string): KubeObject {
  return policy(
    place,
    `edge-to-${block.block}`,
    {
      podSelector: { matchLabels: blockSelector(place.project, place.environment, block.block) },
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0", except: [podCidr] } }], ports: [{ protocol: "TCP", port: block.port }] }],
    },
    block.block,
  );
}
