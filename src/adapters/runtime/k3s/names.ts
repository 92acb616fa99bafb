import { createHash } from "node:crypto";

/** Kubernetes caps namespace and most object names (DNS-1123 labels) at 63 characters. */
export const MAX_NAME = 63;

const shortHash = (text: string, length: number) => createHash("sha256").update(text).digest("hex").slice(0, length);

/**
 * `berth-<project>-<environment>`; the prefix keeps a project "kube" with an environment
 * "system" out of kube-system. Longer than 63: cut, then a hash of the full pair, so two long
 * names that share their start still get different namespaces.
 */
export function namespaceName(project: string, environment: string): string {
  const full = `berth-${project}-${environment}`;
  if (full.length <= MAX_NAME) return full;
  const suffix = shortHash(`${project}/${environment}`, 8);
  return `${full.slice(0, MAX_NAME - suffix.length - 1).replace(/-+$/, "")}-${suffix}`;
}

/** The Secret holding a block's environment for one config hash: a new hash is a new, immutable Secret. */
export const secretName = (block: string, hash: string) => `${block}-env-${hash}`;

/** A volume's claim, named after a hash of its mount path: stable across releases, whatever the path's length. */
export const claimName = (block: string, path: string) => `${block}-data-${shortHash(path, 8)}`;

/** The Job a deploy hook or a manual job runs in release N. */
export const releaseJobName = (job: string, release: number) => `${job}-r${release}`;

/** The label of a `berth job run` Job and its pod: the run's id, so a later process finds what an earlier one started. */
export const JOB_RUN_LABEL = "berth.job-run";

export const MANAGED_BY = { "app.kubernetes.io/managed-by": "berth" } as const;

/** What selectors use: stable across releases (a Deployment's selector cannot change). */
export function blockSelector(project: string, environment: string, block: string): Record<string, string> {
  return { "berth.project": project, "berth.environment": environment, "berth.block": block };
}

/** Every object's labels, so the runtime can find and prune what it owns. */
export function objectLabels(project: string, environment: string, release: number, block?: string): Record<string, string> {
  return {
    ...MANAGED_BY,
    "berth.project": project,
    "berth.environment": environment,
    ...(block !== undefined && { "berth.block": block }),
    "berth.release": String(release),
  };
}

/**
 * The Job of one `berth job run`: `<job>-run<id>`. A Job's name goes into its pods' labels, so
 * it stays within 63 characters: a long job name is cut and a hash of the whole name added.
 */
export function jobRunName(job: string, runId: number): string {
  const suffix = `-run${runId}`;
  if (job.length + suffix.length <= MAX_NAME) return `${job}${suffix}`;
  const hash = shortHash(job, 8);
  return `${job.slice(0, MAX_NAME - suffix.length - hash.length - 1).replace(/-+$/, "")}-${hash}${suffix}`;
}
