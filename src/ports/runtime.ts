import type { BlockKind } from "../core/project-file/schema.ts";

/** One block of an environment as it should run. The adapter never reads berth.yaml. */
export interface BlockPlan {
  block: string;
  kind: BlockKind;
  /** Image id (sha256:…) or reference present on the engine. */
  image: string;
  /** Clear values, injected at container create time only. */
  env: Record<string, string>;
  /** Overrides the image's CMD. */
  command?: string[];
  /** Port the container listens on; published on 127.0.0.1 only. None for workers and jobs. */
  port?: number;
  /** HTTP path to probe; without it, a TCP connect to `port`; without a port, "still running". */
  healthPath?: string;
  replicas: number;
  memoryBytes?: number;
  cpus?: number;
  /** Named volumes that outlive containers and releases: container path → size hint. */
  volumes: { path: string; size: string }[];
  /** Most processes (and threads) the container may run; none means no limit. */
  pidsLimit?: number;
  /** SIGTERM → SIGKILL grace when a replica is stopped; none means the runtime's default. */
  stopGraceSeconds?: number;
  /**
   * `restricted` (also when unset): no-new-privileges and capabilities common images do not
   * need dropped; `standard`: the engine's own defaults.
   */
  privileges?: "restricted" | "standard";
  /** User (and group) the process runs as, e.g. "1000:1000"; none means the image's. */
  user?: string;
  /** Blocks of the plan that must be up and healthy before this one starts (services it reads). */
  dependsOn?: string[];
  /** Hash of everything above; a container whose label matches needs no replacing. */
  hash: string;
}

export interface EnvironmentPlan {
  project: string;
  environment: string;
  release: number;
  /** Blocks to run; blocks of this environment not listed are removed. Jobs are not listed. */
  blocks: BlockPlan[];
  /** Blocks whose replicas are replaced (zero downtime) even when they already match the plan: a restart. */
  restart?: string[];
  /**
   * The release's pre- and post-deploy jobs go with this apply (a deploy, a promote); a restart,
   * scale, start or rollback reuses images whose jobs ran already. Read by a runtime that runs
   * those jobs itself (a cluster); on docker Berth's job runner runs them around the apply.
   */
  deployJobs?: boolean;
}

export interface Upstream {
  host: string;
  port: number;
}

export interface BlockOutcome {
  block: string;
  ok: boolean;
  /** One line; for a failed health check it ends with the container's last log lines. */
  reason?: string;
  upstreams: Upstream[];
  /** Container ids now serving the block. */
  containers: string[];
}

export interface ApplyHooks {
  log(line: string): void;
  /**
   * New replicas of a block passed their health checks: switch traffic to `upstreams` now.
   * The adapter drains and stops the old replicas only after this resolves.
   */
  switchTraffic(block: string, upstreams: Upstream[]): Promise<void>;
}

/** `crashloop`: up now and then, but its replicas keep dying and being restarted. */
export type ReplicaState = "running" | "deploying" | "failed" | "stopped" | "crashloop";

export interface BlockRuntimeStatus {
  block: string;
  state: ReplicaState;
  ready: number;
  wanted: number;
  image: string | null;
  release: number | null;
  upstreams: Upstream[];
  /** Restarts of the newest replicas since they went live (each crash the engine restarted). */
  restarts: number;
  /** For a crash loop: the last log lines of the replica that keeps dying; else empty. */
  lastLog: string[];
}

export interface EnvironmentRef {
  project: string;
  environment: string;
}

/** A command to run inside one running replica of a block (`berth exec`). */
export interface ExecRequest {
  project: string;
  environment: string;
  block: string;
  /** Replica index, 0 for the first. */
  replica: number;
  command: string[];
  /** A pseudo-terminal: one output stream, resizable, for interactive shells. */
  tty: boolean;
}

/** A running exec: input in, output out, its exit code at the end. */
export interface ExecSession {
  onOutput(listener: (data: Uint8Array, stream: "stdout" | "stderr") => void): void;
  /** Resolves once the data is handed to the engine: awaiting it keeps a large input (a restore) from piling up in memory. */
  write(data: Uint8Array): Promise<void>;
  /** No more input (the command sees end of file). */
  endInput(): void;
  resize(columns: number, rows: number): Promise<void>;
  /** The command's exit code, once its output has ended. */
  exited: Promise<number>;
  /** Ends the session (the client went away). */
  close(): void;
}

/**
 * Runs environments: level-based and idempotent. `apply` reads what exists (by labels), then
 * creates, replaces and removes only what it owns, one block at a time with zero downtime:
 * start new → health check → switchTraffic → drain → stop old. A block whose new replicas fail
 * their health check keeps its old replicas serving and reports ok: false.
 */
export interface Runtime {
  apply(plan: EnvironmentPlan, hooks: ApplyHooks): Promise<BlockOutcome[]>;
  /**
   * What runs, block by block. `crashes: false` skips what crash detection needs (restart counts,
   * log lines: a call per replica) when only states and upstreams matter, as for routes.
   */
  status(project: string, environment: string, options?: { crashes?: boolean }): Promise<BlockRuntimeStatus[]>;
  /**
   * After a failed release: removes the containers that release started, except those of
   * `serving` (blocks whose traffic already switched to them). Returns how many went.
   */
  discardRelease(project: string, environment: string, release: number, serving: string[]): Promise<number>;
  /**
   * `env stop`: no replica of the environment runs any more, and its data stays. Docker removes
   * the containers and network (a start creates them again); a cluster keeps its objects at 0 replicas.
   */
  stop(project: string, environment: string): Promise<void>;
  /** Removes every container and the network of an environment; volumes only when purging. */
  remove(project: string, environment: string, options: { purgeVolumes: boolean }): Promise<void>;
  /**
   * Calls `onChange` soon after a replica of an environment starts, dies or changes health, so
   * what depends on it (routes) can be read again; the change itself is not described, on purpose.
   * `null` means "anything may have changed" (the feed was lost and is back). Returns a stop function.
   */
  watch(onChange: (changed: EnvironmentRef | null) => void, log: (line: string) => void): () => void;
  /** Starts a command in a running replica of a block. */
  exec(request: ExecRequest): Promise<ExecSession>;
  /**
   * Stops the running replicas of these blocks, keeping their containers (a restore underneath
   * them); resolves with a function that starts the same containers again.
   */
  holdBlocks(project: string, environment: string, blocks: string[]): Promise<() => Promise<void>>;
}
