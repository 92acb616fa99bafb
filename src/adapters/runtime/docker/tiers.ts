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
 * Runs `task` over `items` with at most `limit` in flight, results in the items' order. Once
 * `stop` says so after a result, or a task throws, no further item starts; the ones in flight
 * always finish before this returns (or rethrows the first error), so nothing outlives the call.
 */
export async function runBounded<T, R>(
  items: T[],
  limit: number,
  task: (item: T) => Promise<R>,
  stop: (result: R) => boolean = () => false,
): Promise<Settled<R>[]> {
  const settled: Settled<R>[] = items.map(() => ({ done: false }));
  let next = 0;
  let halted = false;
  let firstError: { error: unknown } | undefined;
  const lane = async () => {
    while (!halted && next < items.length) {
      const index = next++;
      try {
        const result = await task(items[index]!);
        settled[index] = { done: true, result };
        if (stop(result)) halted = true;
      } catch (error) {
        firstError ??= { error };
        halted = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (firstError) throw firstError.error;
  return settled;
}
