import { stringify } from "yaml";
import type { FleetPlan, ManifestRenderer } from "../../../ports/fleet.ts";
import { cronJob, releaseJob } from "./jobs.ts";
import { MANAGED_BY, namespaceName } from "./names.ts";
import { fromEdge, isolation } from "./network-policies.ts";
import type { KubeObject, RenderPlace } from "./object.ts";
import { envSecret } from "./secrets.ts";
import { claims, deployment, service } from "./workloads.ts";

export interface RendererOptions {
  /** The cluster's pod range (k3s: 10.42.0.0/16); the edge's traffic comes from outside it. */
  podCidr: string;
}

export const DEFAULT_POD_CIDR = "10.42.0.0/16";

/** The order a server-side apply takes them in: what others refer to first. */
const KIND_ORDER = ["Namespace", "NetworkPolicy", "Secret", "PersistentVolumeClaim", "Service", "Deployment", "Job", "CronJob"];

const hasPort = <T extends { port?: number }>(block: T): block is T & { port: number } => block.port !== undefined;

/** Every object of one environment's release, in apply order, names sorted within a kind. */
export function manifestObjects(plan: FleetPlan, options: RendererOptions = { podCidr: DEFAULT_POD_CIDR }): KubeObject[] {
  const place: RenderPlace = { project: plan.project, environment: plan.environment, release: plan.release, namespace: namespaceName(plan.project, plan.environment) };
  const namespace: KubeObject = {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: place.namespace, labels: { ...MANAGED_BY, "berth.project": plan.project, "berth.environment": plan.environment, "berth.release": String(plan.release) } },
  };
  const objects: KubeObject[] = [namespace, ...isolation(place)];
  for (const block of plan.blocks) {
    objects.push(envSecret(place, block), ...claims(place, block), deployment(place, block));
    if (hasPort(block)) objects.push(service(place, block));
    if (hasPort(block) && block.routed) objects.push(fromEdge(place, block, options.podCidr));
  }
  for (const job of plan.jobs) {
    objects.push(envSecret(place, job));
    if (job.trigger === "cron" && job.schedule !== undefined) objects.push(cronJob(place, { ...job, schedule: job.schedule }));
    else objects.push(releaseJob(place, job));
  }
  const rank = (object: KubeObject) => KIND_ORDER.indexOf(object.kind);
  return objects.sort((a, b) => rank(a) - rank(b) || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

/** YAML documents joined by `---`, the same bytes for the same plan (no line folding, keys as built). */
export function toYaml(objects: KubeObject[]): string {
  return objects.map((object) => stringify(object, { lineWidth: 0 })).join("---\n");
}

export function createManifestRenderer(options: RendererOptions = { podCidr: DEFAULT_POD_CIDR }): ManifestRenderer {
  return { render: (plan) => toYaml(manifestObjects(plan, options)) };
}
