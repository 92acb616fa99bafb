import type { BlockRuntimeStatus, Runtime } from "../../ports/runtime.ts";

export interface CrashWatch {
  runtime: Pick<Runtime, "status">;
  project: string;
  environment: string;
  release: number;
  /** How long after the rollout restarts still fail the release; 0 turns the watch off. */
  windowMs: number;
  /**
   * When the window opened (ms since the epoch): the last switch of traffic to the release's
   * replicas. Default: now. Old replicas drain and stop after that switch; the new ones are
   * already serving, so the watch counts that time instead of starting after it.
   */
  since?: number;
  pollMs?: number;
  say(line: string): void;
}

/**
 * Replicas pass their health check and can still die a moment later (a worker that fails to
 * reach its queue after a few seconds). For `windowMs` after the rollout, a restart of a replica
 * this release started fails the release with the crash's last log lines; blocks the release left
 * alone are not its doing. Returns that reason, or null. Nothing is watched when the release
 * started no replica. New replicas only get a restart policy once healthy, so every restart
 * counted came after their health check. The status is read at least once, also when the
 * window has passed already.
 */
export async function watchForCrashes(watch: CrashWatch): Promise<string | null> {
  const { runtime, project, environment, release, windowMs, say } = watch;
  if (windowMs <= 0) return null;
  const deadline = Math.min(Date.now(), watch.since ?? Date.now()) + windowMs;
  const first = await runtime.status(project, environment);
  if (!first.some((row) => row.release === release)) return null;
  const left = Math.max(0, deadline - Date.now());
  say(left < windowMs ? `watching for crashes for ${windowMs / 1000}s from the last switch (${seconds(left)} left)` : `watching for crashes for ${windowMs / 1000}s`);
  for (let rows = first; ; rows = await runtime.status(project, environment)) {
    const crashed = rows.find((row) => row.release === release && row.restarts > 0);
    if (crashed) return crashReason(crashed);
    const left = deadline - Date.now();
    if (left <= 0) return null;
    await Bun.sleep(Math.min(watch.pollMs ?? 500, left));
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export function crashReason(row: BlockRuntimeStatus): string {
  const lines = row.lastLog.join(" | ") || "(none)";
  return `${row.block} crashed after its health check passed (restarted ${row.restarts} time(s)); last log lines: ${lines}`;
}
