import type Dockerode from "dockerode";
import { invalid } from "../../../core/errors.ts";
import { DNS_LABEL } from "../../../core/names.ts";
import type { ApplyHooks, BlockOutcome, EnvironmentPlan, Runtime } from "../../../ports/runtime.ts";
import { listReplicas, removeReplicas, withRestarts } from "./containers.ts";
import { watchEngineEvents } from "./events.ts";
import { execInReplica } from "./exec.ts";
import { holdBlocks } from "./hold.ts";
import { byBlock } from "./labels.ts";
import { lastLogLines } from "./logs.ts";
import { ensureNetwork, removeNetwork } from "./network.ts";
import { applyBlock } from "./replace-block.ts";
import { removeWithOwnGrace, retireAbsentBlocks } from "./retire-block.ts";
import { type Timing, failure, running } from "./rollout.ts";
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
  /** Blocks of one start tier rolled out at once. Default 4. */
  concurrency?: number;
}

/**
 * The runtime port on one Docker engine. Observed state is read from the engine by labels on
 * every call; only containers, networks and volumes labelled berth.managed=true for the
 * environment are ever changed.
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

  // Two applies of one environment at once would both start replicas for the same change.
  const exclusive = serialiser();

  return {
    apply: (plan, hooks) => exclusive(`${plan.project}/${plan.environment}`, () => applyPlan(docker, plan, hooks, timing, concurrency)),

    async status(project, env, { crashes = true } = {}) {
      const listed = await listReplicas(docker, project, env);
      if (!crashes) return environmentStatus(listed);
      const replicas = await withRestarts(docker, listed);
      const found = byBlock(replicas);
      // Logs only for blocks that crashed: they explain the crash, and cost a call each.
      return Promise.all(
        environmentStatus(replicas).map(async (row) => {
          const worst = row.restarts > 0 || row.state === "crashloop" ? mostRestarted(found.get(row.block) ?? []) : null;
          return worst ? { ...row, lastLog: await lastLogLines(docker, worst.id) } : row;
        }),
      );
    },

    watch: (onChange, log) => watchEngineEvents(docker, onChange, log),
    discardRelease: (project, env, release, serving) =>
      exclusive(`${project}/${env}`, async () => {
        checkNames(project, env);
        const keep = new Set(serving);
        const started = (await listReplicas(docker, project, env)).filter((r) => r.release === release && !keep.has(r.block));
        await removeReplicas(docker, started.map((r) => r.id), 0);
        return started.length;
      }),

    remove: (project, env, { purgeVolumes }) =>
      exclusive(`${project}/${env}`, async () => {
        checkNames(project, env);
        const replicas = await listReplicas(docker, project, env);
        await removeWithOwnGrace(docker, replicas, timing.stopGraceSeconds);
        await removeNetwork(docker, project, env);
        if (purgeVolumes) await removeVolumes(docker, project, env);
      }),

    exec: (request) => execInReplica(docker, request),
    holdBlocks: (project, env, blocks) => holdBlocks(docker, project, env, blocks, timing.stopGraceSeconds),
  };
}

async function applyPlan(docker: Dockerode, plan: EnvironmentPlan, hooks: ApplyHooks, timing: Timing, concurrency: number): Promise<BlockOutcome[]> {
  checkPlan(plan);
  const { project, environment: env, release } = plan;
  const network = await ensureNetwork(docker, project, env);
  const observed = await listReplicas(docker, project, env);
  const found = byBlock(observed);
  const outcomes: BlockOutcome[] = [];
  let failed: string | undefined;
  // Tier by tier in plan order (the caller puts the services others depend on first); the blocks
  // of a tier roll out side by side, each switching its own traffic as it turns healthy.
  for (const tier of startTiers(plan.blocks)) {
    const settled = failed
      ? tier.map(() => ({ done: false as const }))
      : await runBounded(
          tier,
          concurrency,
          (block) => {
            const job = { docker, project, env, release, network, block, hooks, timing, restart: plan.restart?.includes(block.block) };
            return applyBlock(job, found.get(block.block) ?? []);
          },
          (outcome) => !outcome.ok,
        );
    for (const s of settled) if (s.done && !s.result.ok) failed ??= s.result.block;
    // A failed block fails the release: what has not started yet stays as it is.
    const notStarted = settled.flatMap((s, i) => (s.done ? [] : [tier[i]!]));
    outcomes.push(...settled.flatMap((s) => (s.done ? [s.result] : [])));
    for (const block of notStarted) outcomes.push(failure(block.block, `not rolled out: block ${failed} failed`, running(found.get(block.block) ?? [])));
  }
  // Last, so a block renamed in the plan keeps serving under its old name until the new one runs.
  await retireAbsentBlocks(docker, observed, new Set(plan.blocks.map((b) => b.block)), hooks, timing);
  return outcomes;
}

/** Runs tasks with the same key one after another, in call order; a failed task does not block the next. */
function serialiser() {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const result = (tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return result;
  };
}

/** Names become container, network and volume names: anything but a DNS label is refused here too. */
function checkNames(project: string, env: string): void {
  if (!DNS_LABEL.test(project)) throw invalid(`project name ${JSON.stringify(project)} is not a DNS label`);
  if (!DNS_LABEL.test(env)) throw invalid(`environment name ${JSON.stringify(env)} is not a DNS label`);
}

function checkPlan(plan: EnvironmentPlan): void {
  checkNames(plan.project, plan.environment);
  const seen = new Set<string>();
  for (const block of plan.blocks) {
    if (!DNS_LABEL.test(block.block)) throw invalid(`block name ${JSON.stringify(block.block)} is not a DNS label`);
    if (seen.has(block.block)) throw invalid(`block ${block.block} appears twice in the plan`);
    if (!Number.isInteger(block.replicas) || block.replicas < 0) throw invalid(`block ${block.block}: replicas must be a whole number ≥ 0`);
    if (!block.hash) throw invalid(`block ${block.block} has no hash`);
    seen.add(block.block);
  }
  if (!Number.isInteger(plan.release) || plan.release < 0) throw invalid(`release must be a whole number, got ${plan.release}`);
}
