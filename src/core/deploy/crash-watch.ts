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
 * this release started fails the release with the crash's last log lines; blocks the release left
 * alone are not its doing. Returns that reason, or null. Nothing is watched when the release
 * started no replica. New replicas only get a restart policy once healthy, so every restart
 * counted came after their health check.
 */
export async function watchForCrashes(watch: CrashWatch): Promise<string | null> {
  const { runtime, project, environment, release, windowMs, say } = watch;
  if (windowMs <= 0) return null;
  const first = await runtime.status(project, environment);
  if (!first.some((row) => row.release === release)) return null;
  say(`watching for crashes for ${windowMs / 1000}s`);
  const deadline = Date.now() + windowMs;
  for (let rows = first; ; rows = await runtime.status(project, environment)) {
    const crashed = rows.find((row) => row.release === release && row.restarts > 0);
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
