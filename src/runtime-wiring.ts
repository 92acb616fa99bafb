import type Docker from "dockerode";
import type { KubeClient } from "./adapters/runtime/k3s/kube-client.ts";
import { createK3sRuntime } from "./adapters/runtime/k3s/runtime.ts";
import { createDockerRuntime } from "./adapters/runtime/docker/runtime.ts";
import { parseQuantity, type Config } from "./config.ts";
import type { BlockDefaults } from "./core/deploy/plan.ts";
import { byReference, createFleetRuntime } from "./core/fleet/fleet-runtime.ts";
import type { Variables } from "./core/variables.ts";
import type { ImageRegistry } from "./ports/image-registry.ts";
import type { ReleaseStore } from "./ports/release-store.ts";
import type { Runtime } from "./ports/runtime.ts";

export interface RuntimeWiring {
  docker: Docker;
  releases: Pick<ReleaseStore, "releaseByNumber">;
  variables: Pick<Variables, "open" | "resolve" | "fingerprint">;
  blockDefaults: BlockDefaults;
  /** The fleet's registry, once it runs; without it a fleet deploy is refused unless fleetImages is `reference`. */
  registry?: () => Promise<ImageRegistry | undefined>;
  /** The cluster's client (fleet mode only), shared with the log source and the node operations. */
  cluster: KubeClient;
}

/**
 * Part of the composition root (app.ts): where environments run. Docker by default; with
 * `runtime: k3s` the cluster `deps.cluster` reaches, behind the core's fleet runtime that turns a deploy's plan into
 * the release's FleetPlan.
 */
export function createRuntime(config: Config, deps: RuntimeWiring): Runtime {
  if (config.runtime !== "k3s") {
    return createDockerRuntime(deps.docker, { drainMs: parseQuantity(config.deployDrain), settleMs: parseQuantity(config.deploySettle), concurrency: config.rolloutConcurrency });
  }
  const cluster = createK3sRuntime({ client: deps.cluster });
  return createFleetRuntime({
    cluster,
    releases: deps.releases,
    variables: deps.variables,
    blockDefaults: deps.blockDefaults,
    registry: deps.registry,
    ...(config.fleetImages === "reference" && { publish: byReference }),
  });
}
