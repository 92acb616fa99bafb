import type { BlockRuntimeStatus, Runtime } from "../../ports/runtime.ts";

export interface CrashWatch {
  runtime: Pick<Runtime, "status">;
  project: string;
  environment: string;
  release: number;
  /** How long after the rollout restarts still fail the release; 0 turns the watch off. */
  windowMs: number;
  pollMs?: number;
  say(line: string): void;
}

/**
 * Replicas pass their health check and can still die a moment later (a worker that fails to
 * reach its queue after a few seconds). For `windowMs` after the rollout, a restart of a replica
 * this release started, or a crash loop anywhere, fails the release with the crash's last log
 * lines. Returns that reason, or null. Nothing is watched when the release started no replica.
 */
export async function watchForCrashes(watch: CrashWatch): Promise<string | null> {
  const { runtime, project, environment, release, windowMs, say } = watch;
  if (windowMs <= 0) return null;
  const first = await runtime.status(project, environment);
  if (!first.some((row) => row.release === release)) return null;
  // Blocks this release left alone count only restarts from now on.
  const before = new Map(first.map((row) => [row.block, row.release === release ? 0 : row.restarts]));
  say(`watching for crashes for ${windowMs / 1000}s`);
  const deadline = Date.now() + windowMs;
  for (let rows = first; ; rows = await runtime.status(project, environment)) {
    const crashed = rows.find((row) => row.state === "crashloop" || row.restarts > (before.get(row.block) ?? row.restarts));
    if (crashed) return crashReason(crashed);
    const left = deadline - Date.now();
    if (left <= 0) return null;
    await Bun.sleep(Math.min(watch.pollMs ?? 500, left));
  }
}

export function crashReason(row: BlockRuntimeStatus): string {
  const lines = row.lastLog.join(" | ") || "(none)";
  return `${row.block} crashed after its health check passed (restarted ${row.restarts} time(s)); last log lines: ${lines}`;
}
