import type { BlockPlan } from "../../../ports/runtime.ts";

/**
 * The plan's blocks cut into start tiers: data services, then everything else. Services hold
 * the state the others connect to, so they are up first; microservices, workers and websites
 * are stateless and reach each other by name (on a replace the old replicas keep answering
 * meanwhile), so they roll out side by side, as Kubernetes starts a namespace's deployments.
 * A block that names `dependsOn` (the services whose exports it reads) goes in a tier after
 * each of them, so it starts only once they are healthy, even a service reading another.
 * Within a tier, blocks keep plan order.
 */
export function startTiers(blocks: BlockPlan[]): BlockPlan[][] {
  const byName = new Map(blocks.map((b) => [b.block, b]));
  const levels = new Map<string, number>();
  const levelOf = (block: BlockPlan, seen: Set<string>): number => {
    const known = levels.get(block.block);
    if (known !== undefined) return known;
    let level = block.kind === "service" ? 0 : 1;
    for (const name of block.dependsOn ?? []) {
      const dep = byName.get(name);
      // A cycle or a block outside the plan cannot order anything: the kind decides.
      if (!dep || seen.has(name)) continue;
      level = Math.max(level, levelOf(dep, new Set([...seen, name])) + 1);
    }
    levels.set(block.block, level);
    return level;
  };
  const tiers = new Map<number, BlockPlan[]>();
  for (const block of blocks) {
    const level = levelOf(block, new Set([block.block]));
    tiers.set(level, [...(tiers.get(level) ?? []), block]);
  }
  return [...tiers.entries()].sort(([a], [b]) => a - b).map(([, tier]) => tier);
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
