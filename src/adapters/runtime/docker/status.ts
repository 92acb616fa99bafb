import type { BlockRuntimeStatus } from "../../../ports/runtime.ts";
import { isCrashLooping } from "./crash-loop.ts";
import { type Replica, byBlock } from "./labels.ts";

const CRASHING = new Set(["restarting", "dead"]);

/**
 * One row per block from its containers alone. Under `unless-stopped` a crashing process shows
 * as "restarting", while "exited" means someone stopped it. A replica that keeps being restarted
 * (see crash-loop.ts) is not ready even while it happens to be up, and makes the block `crashloop`.
 */
export function blockStatus(block: string, replicas: Replica[], now = Date.now()): BlockRuntimeStatus {
  const newest = newestGroup(replicas);
  const older = replicas.filter((replica) => replica.hash !== newest[0]?.hash);
  const up = (list: Replica[]) => list.filter((replica) => replica.state === "running");
  const looping = newest.filter((replica) => isCrashLooping(replica, now));
  const wanted = newest[0]?.wanted || newest.length;
  const ready = up(newest).filter((replica) => !looping.includes(replica)).length;
  const anyUp = up(replicas).length > 0;

  let state: BlockRuntimeStatus["state"];
  if (looping.length) state = "crashloop";
  else if (!anyUp) state = replicas.some((r) => CRASHING.has(r.state)) ? "failed" : "stopped";
  else if (older.length && up(older).length) state = "deploying";
  else if (ready === wanted && ready === newest.length) state = "running";
  else state = "failed";

  // Until the switch, the older replicas are the ones traffic goes to.
  const serving = state === "deploying" ? up(older) : up(newest);
  return {
    block,
    state,
    ready,
    wanted,
    image: newest[0]?.image ?? null,
    release: newest[0]?.release ?? null,
    upstreams: serving.flatMap((replica) => (replica.upstream ? [replica.upstream] : [])),
    restarts: newest.reduce((sum, replica) => sum + (replica.restarts ?? 0), 0),
    lastLog: [],
  };
}

export function environmentStatus(replicas: Replica[], now = Date.now()): BlockRuntimeStatus[] {
  return [...byBlock(replicas)].map(([block, list]) => blockStatus(block, list, now)).sort((a, b) => a.block.localeCompare(b.block));
}

/** Of a block's newest replicas, the one restarted most: whose log explains a crash. */
export function mostRestarted(replicas: Replica[]): Replica | null {
  const newest = newestGroup(replicas);
  return newest.reduce<Replica | null>((worst, replica) => ((replica.restarts ?? 0) > (worst?.restarts ?? 0) ? replica : worst), null);
}

/** Replicas of the latest hash: highest release first, then the most recently created. */
function newestGroup(replicas: Replica[]): Replica[] {
  const latest = [...replicas].sort((a, b) => b.release - a.release || b.created - a.created)[0];
  return latest ? replicas.filter((replica) => replica.hash === latest.hash) : [];
}
