import type Dockerode from "dockerode";
import { checkNames, checkPlan } from "../check-names.ts";
import type { ApplyHooks, BlockOutcome, BlockPlan, EnvironmentPlan, Runtime } from "../../../ports/runtime.ts";
import { listReplicas, removeReplicas, withRestarts } from "./containers.ts";
import { createEngineFeed, watchEnvironments } from "./events.ts";
import { createRuntimeCache, feedCache } from "./runtime-cache.ts";
import { execInReplica } from "./exec.ts";
import { background } from "./background.ts";
import { holdBlocks } from "./hold.ts";
import { type Replica, byBlock } from "./labels.ts";
import { lastLogLines } from "./logs.ts";
import { ensureNetwork, removeNetwork } from "./network.ts";
import { applyBlock } from "./replace-block.ts";
import { removeWithOwnGrace, retireAbsentBlocks } from "./retire-block.ts";
import { type BlockJob, type Timing, failure, running } from "./rollout.ts";
import { serialiser } from "../serialiser.ts";
import { runBounded, startTiers } from "./tiers.ts";
import { environmentStatus, mostRestarted } from "./status.ts";
import { removeVolumes } from "./volumes.ts";

export interface DockerRuntimeOptions {
  /** How long new replicas get to pass their health check. Default 60 s. */
  healthTimeoutMs?: number;
  /** Wait between switching traffic and stopping old replicas. Default 2 s. */
  drainMs?: number;
  /** SIGTERM → SIGKILL grace when stopping a replica whose plan or container sets none. Default 10 s. */
  stopGraceSeconds?: number;
  /** How long a replica without a port must stay up to count as started. Default 2 s. */
  settleMs?: number;
  /** Health poll interval. Default 250 ms. */
  pollMs?: number;
  /** Blocks of one start tier booting new replicas at once (see runBounded's places). Default 4. */
  concurrency?: number;
}

/**
 * The runtime port on one Docker engine. Observed state is read from the engine by labels: on
 * every apply, and for status from what the engine said last unless an event has made it stale
 * since (runtime-cache.ts); only containers, networks and volumes labelled berth.managed=true for
 * the environment are ever changed.
 */
export function createDockerRuntime(docker: Dockerode, options: DockerRuntimeOptions = {}): Runtime {
  const timing: Timing = {
    timeoutMs: options.healthTimeoutMs ?? 60_000,
    pollMs: options.pollMs ?? 250,
    settleMs: options.settleMs ?? 2_000,
    drainMs: options.drainMs ?? 2_000,
    stopGraceSeconds: options.stopGraceSeconds ?? 10,
  };

  const concurrency = Math.max(1, options.concurrency ?? 4);
  const feed = createEngineFeed(docker);
  const cache = createRuntimeCache(docker, (project, env) => listReplicas(docker, project, env));
  const attachCache = feedCache(feed, cache);
  const engine: Engine = { docker, inspect: cache.inspect };

  // Two applies of one environment at once would both start replicas for the same change.
  const exclusive = serialiser();

  const removeEnvironment = (project: string, env: string, { purgeVolumes }: { purgeVolumes: boolean }) =>
    exclusive(`${project}/${env}`, async () => {
      checkNames(project, env);
      const replicas = await listReplicas(docker, project, env);
      await removeWithOwnGrace(docker, replicas, timing.stopGraceSeconds);
      await removeNetwork(docker, project, env);
      if (purgeVolumes) await removeVolumes(docker, project, env);
    });

  return {
    apply: (plan, hooks) => exclusive(`${plan.project}/${plan.environment}`, () => applyPlan(engine, plan, hooks, timing, concurrency)),

    async status(project, env, { crashes = true } = {}) {
      const listed = await cache.listReplicas(project, env);
      if (!crashes) return environmentStatus(listed);
      const replicas = await withRestarts(cache.inspect, listed);
      const found = byBlock(replicas);
      // Logs only for blocks that crashed: they explain the crash, and cost a call each.
      return Promise.all(
        environmentStatus(replicas).map(async (row) => {
          const worst = row.restarts > 0 || row.state === "crashloop" ? mostRestarted(found.get(row.block) ?? []) : null;
          return worst ? { ...row, lastLog: await lastLogLines(docker, worst.id) } : row;
        }),
      );
    },

    watch(onChange, log) {
      // The cache first, so whoever is told of a change reads past what the change made stale.
      const detach = attachCache();
      const unwatch = watchEnvironments(feed, onChange, log);
      return () => (unwatch(), detach());
    },
    discardRelease: (project, env, release, serving) =>
      exclusive(`${project}/${env}`, async () => {
        checkNames(project, env);
        const keep = new Set(serving);
        const started = (await listReplicas(docker, project, env)).filter((r) => r.release === release && !keep.has(r.block));
        await removeReplicas(docker, started.map((r) => r.id), 0);
        return started.length;
      }),

    remove: (project, env, options) => removeEnvironment(project, env, options),
    // Containers are cheap to create again from the release: a stop removes them, keeping the volumes.
    stop: (project, env) => removeEnvironment(project, env, { purgeVolumes: false }),

    exec: (request) => execInReplica(docker, request),
    holdBlocks: (project, env, blocks) => holdBlocks(docker, project, env, blocks, timing.stopGraceSeconds),
  };
}

/** The engine client, and inspects through the runtime's cache. */
type Engine = Pick<BlockJob, "docker" | "inspect">;

async function applyPlan({ docker, inspect }: Engine, plan: EnvironmentPlan, hooks: ApplyHooks, timing: Timing, concurrency: number): Promise<BlockOutcome[]> {
  checkPlan(plan, { hashes: true });
  const { project, environment: env, release } = plan;
  const network = await ensureNetwork(docker, project, env);
  const observed = await listReplicas(docker, project, env);
  const found = byBlock(observed);
  const after = background();
  let outcomes: BlockOutcome[];
  try {
    const roll = (block: BlockPlan, free: () => void) => {
      const job: BlockJob = { docker, inspect, project, env, release, network, block, hooks, timing, restart: plan.restart?.includes(block.block), later: after.run, free };
      return applyBlock(job, found.get(block.block) ?? []);
    };
    // A tier's switches are done before the next tier starts: the services others connect to are settled first.
    outcomes = await rollTiers(plan, found, roll, concurrency, after.settle);
  } catch (error) {
    // Nothing outlives the apply: old replicas already switched away from still go.
    await after.settle().catch(() => undefined);
    throw error;
  }
  // Last, so a block renamed in the plan keeps serving under its old name until the new one runs.
  await retireAbsentBlocks(docker, observed, new Set(plan.blocks.map((b) => b.block)), hooks, timing);
  return outcomes;
}

/**
 * Tier by tier in plan order (the caller puts the services others depend on first); the blocks
 * of a tier roll out side by side, each switching its own traffic as it turns healthy.
 */
async function rollTiers(
  plan: EnvironmentPlan,
  found: Map<string, Replica[]>,
  roll: (block: BlockPlan, free: () => void) => Promise<BlockOutcome>,
  concurrency: number,
  tierDone: () => Promise<void>,
): Promise<BlockOutcome[]> {
  const outcomes: BlockOutcome[] = [];
  let failed: string | undefined;
  for (const tier of startTiers(plan.blocks)) {
    const settled = failed ? tier.map(() => ({ done: false as const })) : await runBounded(tier, concurrency, roll, (outcome) => !outcome.ok);
    for (const s of settled) if (s.done && !s.result.ok) failed ??= s.result.block;
    // A failed block fails the release: what has not started yet stays as it is.
    const notStarted = settled.flatMap((s, i) => (s.done ? [] : [tier[i]!]));
    outcomes.push(...settled.flatMap((s) => (s.done ? [s.result] : [])));
    for (const block of notStarted) outcomes.push(failure(block.block, `not rolled out: block ${failed} failed`, running(found.get(block.block) ?? [])));
    await tierDone();
  }
  return outcomes;
}
