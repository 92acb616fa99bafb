import type { BlockPlan } from "./runtime.ts";

/** A block as fleet mode runs it: the docker runtime's plan plus what only a cluster needs to know. */
export interface FleetBlock extends BlockPlan {
  /** The registry's digest (sha256:…) of `image` once pushed; the manifests then pin it. */
  digest?: string;
  /** The edge sends traffic to it (a website, a gateway or public microservice). */
  routed: boolean;
}

/** A job block: runs to completion before or after a deploy, on demand, or on a schedule. */
export interface FleetJob extends FleetBlock {
  trigger: "pre-deploy" | "post-deploy" | "manual" | "cron";
  /** The 5-field pattern, for `cron`. */
  schedule?: string;
  /** IANA zone the schedule is read in; none: UTC. */
  timezone?: string;
  /** How late a missed scheduled run may still start. */
  startingDeadlineSeconds?: number;
  timeoutSeconds: number;
}

/** One environment's release as the cluster should run it. */
export interface FleetPlan {
  project: string;
  environment: string;
  release: number;
  blocks: FleetBlock[];
  jobs: FleetJob[];
}

/** Turns a plan into the Kubernetes objects fleet mode would apply: YAML documents joined by `---`. */
export interface ManifestRenderer {
  render(plan: FleetPlan): string;
}
