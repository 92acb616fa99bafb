import type { FleetPlan, ManifestRenderer } from "../../ports/fleet.ts";
import type { ImageRegistry } from "../../ports/image-registry.ts";
import type { ProjectStore } from "../../ports/project-store.ts";
import type { ReleaseRecord, ReleaseStore } from "../../ports/release-store.ts";
import { wiredVariables } from "../catalog/wiring.ts";
import type { BlockDefaults } from "../deploy/plan.ts";
import { invalid, notFound } from "../errors.ts";
import { fleetIssues } from "../project-file/fleet-rules.ts";
import { secretRedactor } from "../redact.ts";
import type { Variables } from "../variables.ts";
import { fleetPlan } from "./fleet-plan.ts";
import { publishImages, type PublishedImages } from "./publish.ts";

export interface FleetDeps {
  projects: Pick<ProjectStore, "loadProject">;
  releases: Pick<ReleaseStore, "currentRelease" | "releaseByNumber">;
  variables: Pick<Variables, "open" | "resolve" | "fingerprint" | "secretValues">;
  renderer: ManifestRenderer;
  blockDefaults?: BlockDefaults;
  /** The fleet's registry on the server node while it runs; none before `fleet init` or while it is down. */
  registry?: () => Promise<ImageRegistry | undefined>;
}

export interface RenderedRelease {
  release: number;
  /** YAML documents; secret variables' values read [redacted]. */
  manifests: string;
}

/** Fleet mode, as far as it goes: what a release would become on a k3s cluster. */
export function createFleet(deps: FleetDeps) {
  /** Release N (default: the live one) of a project the name rules pass, with blocks to render. */
  function releaseToRender(project: string, environment: string, releaseNumber?: number): ReleaseRecord {
    const file = deps.projects.loadProject(project);
    if (!file) throw notFound(`project "${project}"`);
    if (!file.environments[environment]) throw notFound(`environment "${environment}" in project "${project}"`);
    const issues = fleetIssues(file);
    if (issues.length) throw invalid(`${issues[0]!.path}: ${issues[0]!.message}`, issues);
    const release = releaseNumber === undefined ? deps.releases.currentRelease(project, environment) : deps.releases.releaseByNumber(project, environment, releaseNumber);
    if (!release && releaseNumber !== undefined) throw notFound(`release ${releaseNumber} of ${project}/${environment}`);
    if (!release) throw invalid(`${project}/${environment} has no live release yet: deploy it first, or name one with --release`);
    if (release.blocks.length === 0) throw invalid(`release ${release.number} of ${project}/${environment} froze no blocks (its build failed): name another with --release`);
    return release;
  }

  /** Secret values masked; with published images, each pinned by the registry's digest. */
  function renderRelease(project: string, environment: string, release: ReleaseRecord, published?: PublishedImages): RenderedRelease {
    // Today's secrets and those the release recorded (an old release may predate a rotation).
    const recorded = release.blocks.flatMap((b) => {
      const opened = b.vars ? deps.variables.open(b.vars) : {};
      return Object.entries(b.vars ?? {}).filter(([, v]) => v.secret).map(([name]) => opened[name]!);
    });
    // Only variable values are masked, inside the Secrets: a port equal to a short secret stays a port.
    const redact = secretRedactor([...deps.variables.secretValues(project, environment), ...recorded]);
    const plan: FleetPlan = fleetPlan({
      project,
      environment,
      release: release.number,
      blocks: release.blocks,
      variablesOf: (block) => {
        const wired = wiredVariables(deps.variables, { project, environment, block: block.name }, block, release.blocks);
        return { ...wired, env: Object.fromEntries(Object.entries(wired.env).map(([name, value]) => [name, redact(value)])) };
      },
      defaults: deps.blockDefaults,
      ...published,
    });
    return { release: release.number, manifests: deps.renderer.render(plan) };
  }

  return {
    /** The objects release N (default: the live one) would apply, for a person to read: secret values masked. */
    render(project: string, environment: string, releaseNumber?: number): RenderedRelease {
      return renderRelease(project, environment, releaseToRender(project, environment, releaseNumber));
    },

    /** Pushes release N's images to the fleet's registry, then renders it with every image pinned by the digest the registry gave. */
    async publish(project: string, environment: string, releaseNumber?: number): Promise<RenderedRelease> {
      const registry = await deps.registry?.();
      if (!registry) throw invalid("this install's fleet registry is not running: run berth fleet init, or see serve's log for why it did not start");
      const release = releaseToRender(project, environment, releaseNumber);
      return renderRelease(project, environment, release, await publishImages(registry, release.blocks));
    },
  };
}

export type Fleet = ReturnType<typeof createFleet>;
