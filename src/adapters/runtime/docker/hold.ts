import type Dockerode from "dockerode";
import { listReplicas, restartReplica, stopReplica } from "./containers.ts";

/**
 * Stops the running replicas of some blocks, keeping the containers, and returns a function
 * that starts those same containers again: nothing is recreated, so config and hash stay.
 */
export async function holdBlocks(docker: Dockerode, project: string, env: string, blocks: string[], graceSeconds: number): Promise<() => Promise<void>> {
  const held = (await listReplicas(docker, project, env)).filter((r) => blocks.includes(r.block) && r.state === "running");
  await Promise.all(held.map((r) => stopReplica(docker, r.id, graceSeconds)));
  return async () => {
    await Promise.all(held.map((r) => restartReplica(docker, r.id)));
  };
}
