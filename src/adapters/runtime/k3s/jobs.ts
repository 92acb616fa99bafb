import type { FleetJob } from "../../../ports/fleet.ts";
import { blockSelector, MANAGED_BY, objectLabels, releaseJobName } from "./names.ts";
import type { KubeObject, RenderPlace } from "./object.ts";
import { podSpec } from "./pod.ts";

/** One try, as on docker: a failed pre-deploy job fails the deploy instead of being run again. */
function jobSpec(place: RenderPlace, job: FleetJob, suspend: boolean): Record<string, unknown> {
  return {
    backoffLimit: 0,
    activeDeadlineSeconds: job.timeoutSeconds,
    ...(suspend && { suspend: true }),
    template: {
      metadata: { labels: { ...MANAGED_BY, ...blockSelector(place.project, place.environment, job.block), "berth.release": String(place.release) } },
      spec: podSpec(job, "Never"),
    },
  };
}

/**
 * Deploy hooks and manual jobs are Jobs of the release (a Job's pod template cannot change, so
 * each release has its own). A manual job is rendered suspended: the run request resumes it.
 */
export function releaseJob(place: RenderPlace, job: FleetJob): KubeObject {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: releaseJobName(job.block, place.release),
      namespace: place.namespace,
      labels: objectLabels(place.project, place.environment, place.release, job.block),
      annotations: { "berth.trigger": job.trigger },
    },
    spec: jobSpec(place, job, job.trigger === "manual"),
  };
}

/** A scheduled job; an overlapping run is skipped, as Berth's own scheduler does. */
export function cronJob(place: RenderPlace, job: FleetJob & { schedule: string }): KubeObject {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: job.block, namespace: place.namespace, labels: objectLabels(place.project, place.environment, place.release, job.block) },
    spec: {
      schedule: job.schedule,
      timeZone: job.timezone ?? "Etc/UTC",
      concurrencyPolicy: "Forbid",
      ...(job.startingDeadlineSeconds !== undefined && { startingDeadlineSeconds: job.startingDeadlineSeconds }),
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: { spec: jobSpec(place, job, false) },
    },
  };
}
