import type Dockerode from "dockerode";
import { BerthError, invalid } from "../../../core/errors.ts";
import type { BlockPlan } from "../../../ports/runtime.ts";
import { isNotFound, toBerthError } from "../../docker/engine-errors.ts";
import { LABEL, envFilter, envLabels, ownedBy, volumeName } from "./labels.ts";

export interface VolumeMount {
  name: string;
  path: string;
}

/** The block's named volumes, one per container path; two paths that sanitise alike are refused. */
export function blockVolumes(project: string, env: string, block: BlockPlan): VolumeMount[] {
  const mounts = block.volumes.map(({ path }) => ({ name: volumeName(project, env, block.block, path), path }));
  const names = new Set(mounts.map((mount) => mount.name));
  if (names.size !== mounts.length) throw invalid(`volumes of ${block.block} map to the same volume name: ${mounts.map((m) => m.path).join(", ")}`);
  return mounts;
}

/**
 * Creates the block's volumes when missing. They carry no release or hash: the same volume is
 * mounted by every release, which is what keeps data across deploys.
 */
export async function ensureVolumes(docker: Dockerode, project: string, env: string, block: BlockPlan): Promise<VolumeMount[]> {
  const mounts = blockVolumes(project, env, block);
  for (const mount of mounts) {
    const existing = await docker.getVolume(mount.name).inspect().catch((error: unknown) => {
      if (isNotFound(error)) return null;
      throw toBerthError(error, `inspecting volume ${mount.name}`);
    });
    if (existing) {
      if (!ownedBy(existing.Labels, project, env)) {
        throw new BerthError("conflict", `volume ${mount.name} exists but is not managed by Berth for ${project}/${env}; rename or remove it`);
      }
      continue;
    }
    const labels = { ...envLabels(project, env), [LABEL.block]: block.block, [LABEL.volumePath]: mount.path };
    await docker.createVolume({ Name: mount.name, Labels: labels }).catch((error: unknown) => {
      throw toBerthError(error, `creating volume ${mount.name}`);
    });
  }
  return mounts;
}

/** Deletes every volume Berth made for the environment; only called when the user purges. */
export async function removeVolumes(docker: Dockerode, project: string, env: string): Promise<void> {
  const listed = await docker.listVolumes({ filters: envFilter(project, env) }).catch((error: unknown) => {
    throw toBerthError(error, "listing volumes");
  });
  for (const volume of listed.Volumes ?? []) {
    // The engine filtered already; checking again costs nothing and guards against a filter typo.
    if (!ownedBy(volume.Labels, project, env)) continue;
    await docker.getVolume(volume.Name).remove().catch((error: unknown) => {
      if (!isNotFound(error)) throw toBerthError(error, `removing volume ${volume.Name}`);
    });
  }
}
