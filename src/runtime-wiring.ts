import type Docker from "dockerode";
import { lazyKubeClient } from "./adapters/runtime/k3s/cluster-client.ts";
import { createK3sRuntime } from "./adapters/runtime/k3s/runtime.ts";
import { createDockerRuntime } from "./adapters/runtime/docker/runtime.ts";
import { parseQuantity, type Config } from "./config.ts";
import type { BlockDefaults } from "./core/deploy/plan.ts";
import { byReference, createFleetRuntime } from "./core/fleet/fleet-runtime.ts";
import { kubeconfigPath } from "./core/fleet/init.ts";
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
  log?: (line: string) => void;
}

/**
 * Part of the composition root (app.ts): where environments run. Docker by default; with
 * `runtime: k3s` the cluster of `fleet init`'s kubeconfig, read on first use (serve starts
 * before the cluster exists), behind the core's fleet runtime that turns a deploy's plan into
 * the release's FleetPlan.
 */
export function createRuntime(config: Config, deps: RuntimeWiring): Runtime {
  if (config.runtime !== "k3s") {
    return createDockerRuntime(deps.docker, { drainMs: parseQuantity(config.deployDrain), settleMs: parseQuantity(config.deploySettle), concurrency: config.rolloutConcurrency });
  }
  const cluster = createK3sRuntime({ client: lazyKubeClient(kubeconfigPath(config.dataDir), { warn: deps.log }) });
  return createFleetRuntime({
    cluster,
    releases: deps.releases,
    variables: deps.variables,
    blockDefaults: deps.blockDefaults,
    registry: deps.registry,
    ...(config.fleetImages === "reference" && { publish: byReference }),
  });
}
