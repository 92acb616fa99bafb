import type { DeployOrigin, Deployments } from "../deploy/deployments.ts";
import { BerthError } from "../errors.ts";

/** What a push did to one environment: a release started now, or a follow-up deploy queued. */
export type Triggered = { environment: string; release: number; queued: false } | { environment: string; queued: true };

const FINISHED = new Set(["deployed", "failed"]);

/**
 * Deploys that pushes start. While an environment deploys, a push queues one follow-up deploy;
 * later pushes replace the queued one (each deploy builds the ref as it is then, so the newest
 * commit wins), and it starts once the running deploy has finished.
 */
export function createAutoDeploy(deps: {
  deployments: Pick<Deployments, "deploy" | "isDeploying" | "list" | "wait">;
  log: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
}) {
  const sleep = deps.sleep ?? ((ms: number) => Bun.sleep(ms));
  const queued = new Map<string, DeployOrigin>();

  /** Resolves once no deploy of the environment runs (its release finished and was let go). */
  async function idle(project: string, environment: string) {
    while (deps.deployments.isDeploying(project, environment)) {
      const newest = deps.deployments.list(project, environment)[0];
      if (newest && !FINISHED.has(newest.status)) await deps.deployments.wait(newest.id).catch(() => undefined);
      else await sleep(50);
    }
  }

  async function runQueued(project: string, environment: string, key: string) {
    for (;;) {
      await idle(project, environment);
      const origin = queued.get(key)!;
      try {
        const release = deps.deployments.deploy(project, environment, origin);
        queued.delete(key);
        deps.log(`auto-deploy: ${key}: release ${release.number} started (${origin.source ?? "push"}, queued behind the previous deploy)`);
        return;
      } catch (error) {
        // Someone started a deploy in between: wait for that one too.
        if (error instanceof BerthError && error.code === "conflict") continue;
        queued.delete(key);
        deps.log(`auto-deploy: ${key}: the queued deploy could not start: ${(error as Error).message.split("\n")[0]}`);
        return;
      }
    }
  }

  return {
    trigger(project: string, environment: string, origin: DeployOrigin): Triggered {
      const key = `${project}/${environment}`;
      if (queued.has(key)) {
        queued.set(key, origin);
        return { environment, queued: true };
      }
      if (!deps.deployments.isDeploying(project, environment)) {
        try {
          return { environment, release: deps.deployments.deploy(project, environment, origin).number, queued: false };
        } catch (error) {
          if (!(error instanceof BerthError && error.code === "conflict")) throw error;
        }
      }
      queued.set(key, origin);
      void runQueued(project, environment, key);
      return { environment, queued: true };
    },

    /** The follow-up deploy waiting for an environment, if any. */
    queued: (project: string, environment: string): DeployOrigin | undefined => queued.get(`${project}/${environment}`),
  };
}

export type AutoDeploy = ReturnType<typeof createAutoDeploy>;
