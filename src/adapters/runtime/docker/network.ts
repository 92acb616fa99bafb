import type Dockerode from "dockerode";
import { BerthError } from "../../../core/errors.ts";
import { engineStatus, isNotFound, toBerthError } from "../../docker/engine-errors.ts";
import { envLabels, networkName, ownedBy } from "./labels.ts";

/**
 * The environment's bridge network, created when missing. A network of that name that Berth
 * does not own for this environment is refused rather than joined: its containers are not ours.
 */
export async function ensureNetwork(docker: Dockerode, project: string, env: string): Promise<string> {
  const name = networkName(project, env);
  const existing = await inspectNetwork(docker, name);
  if (existing) return checkOwned(existing, name, project, env);
  try {
    await docker.createNetwork({ Name: name, Driver: "bridge", CheckDuplicate: true, Labels: envLabels(project, env) });
  } catch (error) {
    // Another apply created it between our inspect and create: use it if it is ours.
    if (engineStatus(error) !== 409) throw toBerthError(error, `creating network ${name}`);
    const raced = await inspectNetwork(docker, name);
    if (!raced) throw toBerthError(error, `creating network ${name}`);
    return checkOwned(raced, name, project, env);
  }
  return name;
}

/** Removes the environment's network if it is Berth's; gone already is fine. */
export async function removeNetwork(docker: Dockerode, project: string, env: string): Promise<void> {
  const name = networkName(project, env);
  const existing = await inspectNetwork(docker, name);
  if (!existing || !ownedBy(existing.Labels, project, env)) return;
  for (let attempt = 1; ; attempt++) {
    try {
      await docker.getNetwork(existing.Id).remove();
      return;
    } catch (error) {
      if (isNotFound(error)) return;
      // 403/409: containers Berth does not own are still attached; they are never disconnected by force.
      const status = engineStatus(error);
      if (status !== 403 && status !== 409) throw toBerthError(error, `removing network ${name}`);
      const attached = Object.values((await inspectNetwork(docker, name))?.Containers ?? {}).map((c) => c.Name);
      if (attached.length) throw new BerthError("conflict", `network ${name} is still used by containers Berth does not manage: ${attached.join(", ")}`);
      // Seen on a loaded engine after hundreds of deletes: an endpoint counted with no container.
      // Its clean-up can lag the container's removal, so a few more tries; a lasting one is an
      // engine fault that only an engine restart clears.
      if (attempt < STALE_ENDPOINT_TRIES) {
        await Bun.sleep(1000);
        continue;
      }
      throw new BerthError("conflict", `network ${name} could not be removed: the engine still counts an endpoint on it with no container attached; restart the Docker engine to clear it, then delete again`);
    }
  }
}

const STALE_ENDPOINT_TRIES = 4;

async function inspectNetwork(docker: Dockerode, name: string): Promise<Dockerode.NetworkInspectInfo | null> {
  try {
    return await docker.getNetwork(name).inspect();
  } catch (error) {
    if (isNotFound(error)) return null;
    throw toBerthError(error, `inspecting network ${name}`);
  }
}

function checkOwned(network: Dockerode.NetworkInspectInfo, name: string, project: string, env: string): string {
  if (ownedBy(network.Labels, project, env)) return name;
  throw new BerthError("conflict", `network ${name} exists but is not managed by Berth for ${project}/${env}; rename or remove it`);
}
