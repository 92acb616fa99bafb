import type { FleetPlan } from "../../ports/fleet.ts";
import type { ImageRegistry } from "../../ports/image-registry.ts";
import type { ReleaseBlock, ReleaseStore } from "../../ports/release-store.ts";
import type { EnvironmentPlan, Runtime } from "../../ports/runtime.ts";
import { wiredVariables } from "../catalog/wiring.ts";
import type { BlockDefaults } from "../deploy/plan.ts";
import { invalid, notFound } from "../errors.ts";
import type { Variables } from "../variables.ts";
import { fleetPlan, type FleetPlanInput } from "./fleet-plan.ts";
import { publishImages } from "./publish.ts";

/** Where nodes pull a release's images from: spread into fleetPlan's input (nothing: the release's own references). */
export type ImagePublisher = (blocks: ReleaseBlock[]) => Promise<Partial<Pick<FleetPlanInput, "imageOf" | "digestOf">>>;

/** Nodes pull every image by the release's own reference: only for images every node can pull where they came from. */
export const byReference: ImagePublisher = async () => ({});

export interface FleetRuntimeDeps {
  /** The runtime on the cluster; it takes the FleetPlan this wrapper makes of a deploy's plan. */
  cluster: Runtime;
  releases: Pick<ReleaseStore, "releaseByNumber">;
  variables: Pick<Variables, "open" | "resolve" | "fingerprint">;
  blockDefaults?: BlockDefaults;
  /** The fleet's registry on the server node while it runs (it starts with `fleet init`, then with serve); none before. */
  registry?: () => Promise<ImageRegistry | undefined>;
  /**
   * Publishes the release's images instead of pushing them to `registry`: `byReference` when the
   * install says so explicitly (setting fleetImages: reference), or a test's own publisher.
   */
  publish?: ImagePublisher;
}

/**
 * The Runtime port in fleet mode: a deploy hands over the docker plan of a frozen release; this
 * loads that release, pushes its images to the fleet's registry and gives the cluster runtime
 * the release's FleetPlan (real variable values, jobs, routed blocks, images pinned by digest),
 * keeping the plan's restart and replica counts. Everything else goes to the cluster as it is.
 */
export function createFleetRuntime(deps: FleetRuntimeDeps): Runtime {
  /** The registry running now, asked at each deploy: it may have started since serve did. */
  const publisher = async (): Promise<ImagePublisher | undefined> => {
    if (deps.publish) return deps.publish;
    const registry = await deps.registry?.();
    return registry && ((blocks) => publishImages(registry, blocks));
  };

  async function planOf(plan: EnvironmentPlan): Promise<FleetPlan & Pick<EnvironmentPlan, "restart">> {
    const { project, environment } = plan;
    const release = deps.releases.releaseByNumber(project, environment, plan.release);
    if (!release) throw notFound(`release ${plan.release} of ${project}/${environment}`);
    const publish = await publisher();
    if (!publish) throw invalid("fleet mode has no registry running for the release's images: run berth fleet init (serve starts the registry at boot after it; its log says why it did not), or set fleetImages: reference to have nodes pull each image by its own reference");
    const published = await publish(release.blocks);
    const fleet = fleetPlan({
      project,
      environment,
      release: release.number,
      blocks: release.blocks,
      variablesOf: (block) => wiredVariables(deps.variables, { project, environment, block: block.name }, block, release.blocks),
      defaults: deps.blockDefaults,
      ...published,
    });
    // The deploy's plan decides how many replicas run (a scale) and which blocks restart.
    const replicas = new Map(plan.blocks.map((b) => [b.block, b.replicas]));
    return {
      ...fleet,
      blocks: fleet.blocks.filter((b) => replicas.has(b.block)).map((b) => ({ ...b, replicas: replicas.get(b.block)! })),
      // Jobs that run around a deploy go with a deploy or promote only, as on docker; manual and scheduled ones always.
      jobs: fleet.jobs.filter((job) => plan.deployJobs || (job.trigger !== "pre-deploy" && job.trigger !== "post-deploy")),
      ...(plan.restart && { restart: plan.restart }),
    };
  }

  return {
    apply: async (plan, hooks) => deps.cluster.apply(await planOf(plan), hooks),
    status: (project, environment, options) => deps.cluster.status(project, environment, options),
    discardRelease: (project, environment, release, serving) => deps.cluster.discardRelease(project, environment, release, serving),
    stop: (project, environment) => deps.cluster.stop(project, environment),
    remove: (project, environment, options) => deps.cluster.remove(project, environment, options),
    watch: (onChange, log) => deps.cluster.watch(onChange, log),
    exec: (request) => deps.cluster.exec(request),
    holdBlocks: (project, environment, blocks) => deps.cluster.holdBlocks(project, environment, blocks),
  };
}
