import type Dockerode from "dockerode";
import type { ApplyHooks, BlockOutcome, BlockPlan, Upstream } from "../../../ports/runtime.ts";
import { type HealthTarget, type HealthTiming, type Inspect, seconds, waitHealthy } from "./health.ts";
import type { Replica } from "./labels.ts";
import { lastLogLines } from "./logs.ts";

export interface Timing extends HealthTiming {
  drainMs: number;
  stopGraceSeconds: number;
}

/** What one block's step needs; built per block by the runtime. */
export interface BlockJob {
  docker: Dockerode;
  /** Inspects through the runtime's cache (inspect-cache.ts). */
  inspect: Inspect;
  project: string;
  env: string;
  release: number;
  network: string;
  block: BlockPlan;
  hooks: ApplyHooks;
  timing: Timing;
  /** Replace the replicas even when they match the plan (a restart). */
  restart?: boolean;
  /**
   * Work left once new replicas are healthy (switching traffic, draining and stopping old
   * replicas): it runs on while the next block starts; the apply waits for all of it, tier by
   * tier, and fails if any of it does.
   */
  later(work: () => Promise<void>): void;
  /** Gives up the block's rollout place early (see `replace` in replace-block.ts). */
  free(): void;
}

/** A replica being rolled out; `restartsBefore` is 0 for one just created, unknown for one found running. */
export type NewReplica = Pick<HealthTarget, "id" | "index" | "restartsBefore">;

export type Checked = { ok: true; upstreams: Upstream[] } | { ok: false; reason: string };

/**
 * Health-checks every new replica at once; the first failure abandons the others' checks and
 * yields the one-line reason with that replica's last log lines.
 */
export async function checkAll(job: BlockJob, replicas: NewReplica[]): Promise<Checked> {
  const { docker, block, hooks, timing } = job;
  const targets: HealthTarget[] = replicas.map((replica) => ({ ...replica, block, network: job.network }));
  const abandon = new AbortController();
  const results = await Promise.all(
    targets.map(async (target) => {
      const health = await waitHealthy(job.inspect, target, timing, abandon.signal);
      if (!health.ok) abandon.abort();
      else if (health.upstream) hooks.log(`${block.block}: healthy on ${health.upstream.host}:${health.upstream.port}`);
      else hooks.log(`${block.block}: replica ${target.index} still running after ${seconds(timing.settleMs)}`);
      return { target, health };
    }),
  );
  const failed = results.find((result) => !result.health.ok && result.health.failure !== "check abandoned");
  if (failed && !failed.health.ok) {
    const lines = await lastLogLines(docker, failed.target.id);
    const reason = `health check failed for ${block.block}: ${failed.health.failure}; last log lines: ${lines.join(" | ") || "(none)"}`;
    hooks.log(`${block.block}: ${failed.health.failure}`);
    return { ok: false, reason };
  }
  return { ok: true, upstreams: results.flatMap(({ health }) => (health.ok && health.upstream ? [health.upstream] : [])) };
}

/** The block as it stands: these replicas serve it. */
export const outcome = (block: string, replicas: Replica[]): BlockOutcome => ({
  block,
  ok: true,
  upstreams: upstreamsOf(replicas),
  containers: replicas.map((replica) => replica.id),
});

export const failure = (block: string, reason: string, serving: Replica[]): BlockOutcome => ({
  ...outcome(block, serving),
  ok: false,
  reason,
});

export const upstreamsOf = (replicas: Replica[]): Upstream[] =>
  replicas.flatMap((replica) => (replica.state === "running" && replica.upstream ? [replica.upstream] : []));

export const running = (replicas: Replica[]) => replicas.filter((replica) => replica.state === "running");

/** Lets in-flight requests to the old replicas finish; nothing to wait for when none served traffic. */
export async function drain(job: BlockJob, old: Replica[]): Promise<void> {
  if (!upstreamsOf(old).length || job.timing.drainMs <= 0) return;
  job.hooks.log(`${job.block.block}: draining old replica(s) for ${seconds(job.timing.drainMs)}`);
  await Bun.sleep(job.timing.drainMs);
}
