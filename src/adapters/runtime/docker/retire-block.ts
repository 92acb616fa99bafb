import type Dockerode from "dockerode";
import type { ApplyHooks } from "../../../ports/runtime.ts";
import { deleteReplica, stopReplica } from "./containers.ts";
import { seconds } from "./health.ts";
import { type Replica, byBlock } from "./labels.ts";
import { type Timing, upstreamsOf } from "./rollout.ts";
import { runBounded } from "./tiers.ts";

/**
 * Blocks found on the engine but absent from the plan: traffic off first, so the edge stops
 * sending requests, then drain, stop and delete. Their volumes stay until a purge.
 */
export async function retireAbsentBlocks(
  docker: Dockerode,
  observed: Replica[],
  planned: Set<string>,
  hooks: ApplyHooks,
  timing: Timing,
): Promise<void> {
  for (const [block, replicas] of byBlock(observed)) {
    if (planned.has(block)) continue;
    hooks.log(`${block}: not in the plan any more, switching its traffic off`);
    await hooks.switchTraffic(block, []);
    if (upstreamsOf(replicas).length && timing.drainMs > 0) {
      hooks.log(`${block}: draining for ${seconds(timing.drainMs)}`);
      await Bun.sleep(timing.drainMs);
    }
    hooks.log(`${block}: stopping ${replicas.length} old replica(s)`);
    await removeWithOwnGrace(docker, replicas, timing.stopGraceSeconds);
  }
}

/**
 * Stops and deletes replicas, each with the stop grace its block had when it was created
 * (its StopTimeout): a block that left the plan, or a whole environment, has no plan to ask.
 */
export async function removeWithOwnGrace(docker: Dockerode, replicas: Replica[], fallbackSeconds: number): Promise<void> {
  // The stops wait out their graces side by side; the engine's own work (inspects, deletes) goes
  // a few at a time, so deleting 300 containers is not 600 engine calls at once.
  const graces = await runBounded(replicas, ENGINE_CALLS_AT_ONCE, async (replica) => {
    // dockerode's types omit StopTimeout, which the engine reports when the container was created with one.
    const info = (await docker.getContainer(replica.id).inspect().catch(() => null)) as { Config?: { StopTimeout?: number } } | null;
    return info?.Config?.StopTimeout ?? fallbackSeconds;
  });
  await Promise.all(replicas.map((replica, i) => stopReplica(docker, replica.id, graces[i]?.done ? graces[i].result : fallbackSeconds)));
  await runBounded(replicas, ENGINE_CALLS_AT_ONCE, (replica) => deleteReplica(docker, replica.id));
}

const ENGINE_CALLS_AT_ONCE = 8;
