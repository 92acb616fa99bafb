import type { BlockPlan } from "../../../ports/runtime.ts";

/**
 * The plan's blocks cut into start tiers: data services, then everything else. Services hold
 * the state the others connect to, so they are up first; microservices, workers and websites
 * are stateless and reach each other by name (on a replace the old replicas keep answering
 * meanwhile), so they roll out side by side, as Kubernetes starts a namespace's deployments.
 * The caller orders the plan (services first), so each tier is a run of consecutive blocks.
 */
export function startTiers(blocks: BlockPlan[]): BlockPlan[][] {
  const tierOf = (block: BlockPlan) => (block.kind === "service" ? "data" : "apps");
  const tiers: BlockPlan[][] = [];
  for (const block of blocks) {
    const last = tiers.at(-1);
    if (last && tierOf(last[0]!) === tierOf(block)) last.push(block);
    else tiers.push([block]);
  }
  return tiers;
}

export type Settled<R> = { done: true; result: R } | { done: false };

/**
 * Runs `task` over `items` with at most `limit` holding a place at once, results in the items'
 * order. A task holds its place until it settles, or until it calls `free` (the rest of its work
 * then runs on outside the bound). Once `stop` says so after a result, or a task throws, no
 * further item starts; the ones started always finish before this returns (or rethrows the first
 * error), so nothing outlives the call.
 */
export async function runBounded<T, R>(
  items: T[],
  limit: number,
  task: (item: T, free: () => void) => Promise<R>,
  stop: (result: R) => boolean = () => false,
): Promise<Settled<R>[]> {
  const settled: Settled<R>[] = items.map(() => ({ done: false }));
  const running = new Set<Promise<void>>();
  let next = 0;
  let held = 0;
  let halted = false;
  let firstError: { error: unknown } | undefined;
  const launch = () => {
    while (!halted && held < Math.max(1, limit) && next < items.length) {
      const index = next++;
      held++;
      let freed = false;
      const free = () => {
        if (freed) return;
        freed = true;
        held--;
        launch();
      };
      const run: Promise<void> = (async () => {
        try {
          const result = await task(items[index]!, free);
          settled[index] = { done: true, result };
          if (stop(result)) halted = true;
        } catch (error) {
          firstError ??= { error };
          halted = true;
        }
        free();
      })();
      running.add(run);
      void run.then(() => running.delete(run));
    }
  };
  launch();
  while (running.size > 0) await Promise.all(running);
  if (firstError) throw firstError.error;
  return settled;
}
