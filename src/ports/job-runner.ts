import type { BlockPlan } from "./runtime.ts";

/** One job run as the runtime should start it. */
export interface JobRunSpec {
  runId: number;
  project: string;
  environment: string;
  /** The release whose image the run uses (a label on the container). */
  release: number;
  /** The job block as a plan: image, variables, command, limits, privileges. Port and replicas are ignored. */
  plan: BlockPlan;
  /**
   * The run's own variables (`berth job run --env`), apart: `plan.env` holds them already, on
   * top of the block's; a runtime that takes the block's variables from elsewhere (the
   * release's Secret in the cluster) sets these over them.
   */
  overrides?: Record<string, string>;
}

/**
 * Runs jobs to completion on the environment's network, one container per run, labelled like
 * every Berth object and removed after the run.
 */
export interface JobRunner {
  /**
   * Starts the run's container, passes each output line (stdout and stderr as written) to
   * `onLine`, and resolves with its exit code once it ended and is removed. When `signal`
   * aborts, the container is killed first (the exit code is then the engine's, usually 137).
   */
  run(spec: JobRunSpec, onLine: (line: string) => void, signal: AbortSignal): Promise<{ exitCode: number }>;
  /**
   * Removes the containers of these runs (a previous process started them and can no longer
   * watch them). Only those: other installs on the same engine keep theirs. Returns how many went.
   */
  removeRuns(runs: { runId: number; project: string; environment: string }[]): Promise<number>;
  /** Kills and removes the job containers of one environment (it is being torn down). */
  removeEnvironment(project: string, environment: string): Promise<number>;
}
