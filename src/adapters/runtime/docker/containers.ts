import type Dockerode from "dockerode";
import { engineStatus, isNotFound, toBerthError } from "../../docker/engine-errors.ts";
import { type ReplicaTarget, containerSpec } from "./container-spec.ts";
import { LABEL, type Replica, envFilter, ownedBy, toReplica } from "./labels.ts";

/** Every container Berth manages in the environment, running or not, read from the engine. */
export async function listReplicas(docker: Dockerode, project: string, env: string): Promise<Replica[]> {
  const listed = await docker.listContainers({ all: true, filters: envFilter(project, env) }).catch((error: unknown) => {
    throw toBerthError(error, `listing containers of ${project}/${env}`);
  });
  return listed
    // Job runs come and go on their own (job-run.ts): deploys, status and routes never see them.
    .filter((info) => ownedBy(info.Labels, project, env) && info.Labels[LABEL.jobRun] === undefined)
    .map(toReplica)
    .sort((a, b) => a.block.localeCompare(b.block) || a.release - b.release || a.index - b.index || a.created - b.created);
}

/**
 * Adds restart counts and start times, which only an inspect carries, to replicas that run or
 * wait for a restart (a stopped one cannot be looping); a replica gone meanwhile is left as listed.
 */
export async function withRestarts(inspect: (id: string) => Promise<Dockerode.ContainerInspectInfo>, replicas: Replica[]): Promise<Replica[]> {
  return Promise.all(
    replicas.map(async (replica) => {
      if (replica.state !== "running" && replica.state !== "restarting") return replica;
      try {
        const info = await inspect(replica.id);
        return { ...replica, restarts: info.RestartCount, startedAt: Date.parse(info.State.StartedAt) };
      } catch (error) {
        if (isNotFound(error)) return replica;
        throw toBerthError(error, `inspecting container ${replica.id.slice(0, 12)}`);
      }
    }),
  );
}

/** Creates and starts one replica; a container that was created but failed to start is removed again. */
export async function startReplica(docker: Dockerode, target: ReplicaTarget): Promise<string> {
  const container = await docker.createContainer(containerSpec(target)).catch((error: unknown) => {
    throw toBerthError(error, `creating container ${target.name}`);
  });
  try {
    await container.start();
  } catch (error) {
    await container.remove({ force: true, v: true }).catch(() => undefined);
    throw toBerthError(error, `starting container ${target.name}`);
  }
  return container.id;
}

/** Healthy replicas restart on crashes and reboots from now on; a no-op where that is set already. */
export async function keepRestarting(docker: Dockerode, ids: string[]): Promise<void> {
  for (const id of ids) {
    const container = docker.getContainer(id);
    try {
      const info = await container.inspect();
      if (info.HostConfig.RestartPolicy?.Name === RESTART_POLICY) continue;
      await container.update({ RestartPolicy: { Name: RESTART_POLICY, MaximumRetryCount: 0 } });
    } catch (error) {
      throw toBerthError(error, `setting the restart policy of container ${id.slice(0, 12)}`);
    }
  }
}

const RESTART_POLICY = "unless-stopped";

/** Starts a stopped replica again (the recreate path puts old replicas back this way). */
export async function restartReplica(docker: Dockerode, id: string): Promise<void> {
  await docker
    .getContainer(id)
    .start()
    .catch((error: unknown) => {
      // 304: it is running already.
      if (engineStatus(error) !== 304) throw toBerthError(error, `starting container ${id.slice(0, 12)}`);
    });
}

/** SIGTERM, then SIGKILL after `graceSeconds`; an already stopped or vanished container is fine. */
export async function stopReplica(docker: Dockerode, id: string, graceSeconds: number): Promise<void> {
  await docker
    .getContainer(id)
    .stop({ t: graceSeconds })
    .catch((error: unknown) => {
      if (engineStatus(error) !== 304 && !isNotFound(error)) throw toBerthError(error, `stopping container ${id.slice(0, 12)}`);
    });
}

/** Stops and deletes a container; named volumes stay (only anonymous ones go with `v`). */
export async function removeReplica(docker: Dockerode, id: string, graceSeconds: number): Promise<void> {
  await stopReplica(docker, id, graceSeconds);
  await deleteReplica(docker, id);
}

/** Deletes a container, stopped or not (force); gone already is fine. */
export async function deleteReplica(docker: Dockerode, id: string): Promise<void> {
  await docker
    .getContainer(id)
    .remove({ force: true, v: true })
    .catch((error: unknown) => {
      // 409: the engine is already removing it.
      if (!isNotFound(error) && engineStatus(error) !== 409) throw toBerthError(error, `removing container ${id.slice(0, 12)}`);
    });
}

export const removeReplicas = (docker: Dockerode, ids: string[], graceSeconds: number) =>
  Promise.all(ids.map((id) => removeReplica(docker, id, graceSeconds)));
