import type Dockerode from "dockerode";
import { isNotFound, toBerthError } from "../../docker/engine-errors.ts";
import { listReplicas } from "./containers.ts";

/**
 * Stops the running replicas of some blocks, keeping the containers, and returns a function
 * that starts those same containers again: nothing is recreated, so config and hash stay.
 */
export async function holdBlocks(docker: Dockerode, project: string, env: string, blocks: string[], graceSeconds: number): Promise<() => Promise<void>> {
  const held = (await listReplicas(docker, project, env)).filter((r) => blocks.includes(r.block) && r.state === "running");
  await Promise.all(
    held.map((r) =>
      docker.getContainer(r.id).stop({ t: graceSeconds }).catch((error: unknown) => {
        if (!isNotFound(error) && (error as { statusCode?: number }).statusCode !== 304) throw toBerthError(error, `stopping ${r.name}`);
      }),
    ),
  );
  return async () => {
    await Promise.all(
      held.map((r) =>
        docker.getContainer(r.id).start().catch((error: unknown) => {
          if ((error as { statusCode?: number }).statusCode !== 304) throw toBerthError(error, `starting ${r.name} again`);
        }),
      ),
    );
  };
}
