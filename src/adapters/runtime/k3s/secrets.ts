import type { FleetBlock } from "../../../ports/fleet.ts";
import { objectLabels, secretName } from "./names.ts";
import type { KubeObject, RenderPlace } from "./object.ts";

/**
 * The only object that carries the block's variables. Immutable and named after the config hash:
 * changed variables make a new Secret and a new pod template, so a rollout picks them up while the
 * old pods keep reading the old Secret; nothing is edited under a running pod.
 */
export function envSecret(place: RenderPlace, block: FleetBlock): KubeObject {
  const env = block.port === undefined ? block.env : { PORT: String(block.port), ...block.env };
  const sorted = Object.fromEntries(Object.keys(env).sort().map((name) => [name, env[name]!]));
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: secretName(block.block, block.hash),
      namespace: place.namespace,
      labels: objectLabels(place.project, place.environment, place.release, block.block),
    },
    type: "Opaque",
    immutable: true,
    stringData: sorted,
  };
}
