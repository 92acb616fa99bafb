import type { FleetBlock, FleetJob, FleetPlan } from "../../ports/fleet.ts";
import type { ReleaseBlock } from "../../ports/release-store.ts";
import type { WiredVariables } from "../catalog/wiring.ts";
import { type BlockDefaults, blockPlan, inStartOrder, isRouted } from "../deploy/plan.ts";
import { DEFAULT_JOB_TIMEOUT } from "../jobs/jobs.ts";
import { durationSeconds } from "../project-file/container-fields.ts";


export interface FleetPlanInput {
  project: string;
  environment: string;
  release: number;
  blocks: ReleaseBlock[];
  /** A block's variables as a deploy resolves them (catalog references wired), and their fingerprint. */
  variablesOf(block: ReleaseBlock): WiredVariables;
  /** The registry's digest of a block's image, once the fleet's registry holds it. */
  digestOf?(block: ReleaseBlock): string | undefined;
  /** The reference nodes pull a block's image by, once pushed (the registry's); none: the release's own. */
  imageOf?(block: ReleaseBlock): string | undefined;
  defaults?: BlockDefaults;
}

/**
 * The plan the docker runtime gets (same limits, commands, hashes), plus what a cluster needs:
 * which blocks the edge routes to and the jobs with their triggers. The image is the release's
 * reference, not the engine's local id: a node pulls it from a registry (publishImages gives
 * the fleet registry's reference and digest once pushed).
 */
export function fleetPlan(input: FleetPlanInput): FleetPlan {
  const fleetBlock = (block: ReleaseBlock): FleetBlock => {
    const { env, fingerprint, dependsOn } = input.variablesOf(block);
    const plan = blockPlan(block, env, fingerprint, input.defaults, dependsOn);
    const digest = input.digestOf?.(block);
    return { ...plan, image: input.imageOf?.(block) ?? block.image, ...(digest && { digest }), routed: isRouted(block.spec) };
  };
  const running = inStartOrder(input.blocks.filter((b) => b.spec.kind !== "job").map((b) => ({ ...b, kind: b.spec.kind })));
  const jobs = input.blocks.filter((b) => b.spec.kind === "job").sort((a, b) => (a.name < b.name ? -1 : 1));
  return {
    project: input.project,
    environment: input.environment,
    release: input.release,
    blocks: running.map(fleetBlock),
    jobs: jobs.map((block): FleetJob => {
      const { spec } = block;
      return {
        ...fleetBlock(block),
        trigger: spec.schedule ? "cron" : (spec.trigger ?? "manual"),
        ...(spec.schedule && { schedule: spec.schedule }),
        ...(spec.timezone && { timezone: spec.timezone }),
        ...(spec.startingDeadline && { startingDeadlineSeconds: durationSeconds(spec.startingDeadline) }),
        timeoutSeconds: durationSeconds(spec.timeout ?? DEFAULT_JOB_TIMEOUT),
      };
    }),
  };
}
