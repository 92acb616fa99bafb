import type Dockerode from "dockerode";
import type { ApplyHooks } from "../../../ports/runtime.ts";
import { removeReplicas } from "./containers.ts";
import { seconds } from "./health.ts";
import { type Replica, byBlock } from "./labels.ts";
import { type Timing, upstreamsOf } from "./rollout.ts";

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
    await removeReplicas(docker, replicas.map((replica) => replica.id), timing.stopGraceSeconds);
  }
}
