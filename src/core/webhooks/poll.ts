import type { GitSource } from "../../ports/git-source.ts";
import type { ProjectStore } from "../../ports/project-store.ts";
import type { ReleaseRecord } from "../../ports/release-store.ts";
import type { GitCredentialsReader } from "../builds/credentials.ts";
import type { Deployments } from "../deploy/deployments.ts";
import { resolveBlock } from "../project-file/resolve.ts";
import type { ProjectFile } from "../project-file/schema.ts";
import type { AutoDeploy } from "./auto-deploy.ts";

export interface PollDeps {
  projects: Pick<ProjectStore, "listProjects" | "loadProject">;
  deployments: Pick<Deployments, "isDeploying" | "list">;
  git: Pick<GitSource, "head">;
  credentials: GitCredentialsReader;
  autoDeploy: Pick<AutoDeploy, "trigger" | "queued">;
  log: (line: string) => void;
}

/**
 * `autoDeploy: poll`: asks each git block's remote (git ls-remote) for the commit of its ref and
 * deploys the environment when one is at a commit that neither the newest release built nor a
 * deploy was already started for (so a commit whose build fails is not retried every round).
 * An environment never deployed is deployed.
 */
export function createPoller(deps: PollDeps) {
  /** `project/env/block` → the commit last deployed or started for it. */
  const known = new Map<string, string>();
  /** The last error per environment, so a remote that stays down is reported once. */
  const failing = new Map<string, string>();

  /** The commit the newest release (of `history`, newest first) that built `block` used. */
  function released(history: ReleaseRecord[], block: string): string | undefined {
    for (const release of history) {
      const commit = release.blocks.find((b) => b.name === block)?.commit;
      if (commit) return commit;
    }
    return undefined;
  }

  async function pollEnvironment(project: string, environment: string, file: ProjectFile) {
    const key = `${project}/${environment}`;
    // A deploy running (or queued) builds the ref as it is: look again next round.
    if (deps.deployments.isDeploying(project, environment) || deps.autoDeploy.queued(project, environment)) return;
    const heads = new Map<string, string>();
    for (const name of Object.keys(file.blocks)) {
      const spec = resolveBlock(file, environment, name);
      if (!spec.git || spec.kind === "job") continue;
      const head = await deps.git.head({ url: spec.git.url, ref: spec.git.ref, credentials: deps.credentials.read(project, name) });
      if (head) heads.set(name, head);
    }
    const history = deps.deployments.list(project, environment);
    const moved = [...heads].find(([block, head]) => known.get(`${key}/${block}`) !== head && released(history, block) !== head);
    if (!moved) return;
    const [block, head] = moved;
    const triggered = deps.autoDeploy.trigger(project, environment, { source: `push ${head.slice(0, 7)}`, actor: "poll" });
    for (const [name, commit] of heads) known.set(`${key}/${name}`, commit);
    deps.log(`auto-deploy: ${key}: ${block} is at ${head.slice(0, 7)}; ${triggered.queued ? "deploy queued" : `release ${triggered.release} started`}`);
  }

  /** One round over every environment with `autoDeploy: poll`; a failing remote is logged, not thrown. */
  async function tick() {
    for (const { name: project } of deps.projects.listProjects()) {
      const file = deps.projects.loadProject(project);
      if (!file) continue;
      for (const [environment, env] of Object.entries(file.environments)) {
        if (env.autoDeploy !== "poll") continue;
        const key = `${project}/${environment}`;
        try {
          await pollEnvironment(project, environment, file);
          failing.delete(key);
        } catch (error) {
          const message = (error as Error).message.split("\n")[0]!;
          if (failing.get(key) !== message) deps.log(`auto-deploy: ${key}: cannot poll: ${message}`);
          failing.set(key, message);
        }
      }
    }
  }

  return {
    tick,
    /** Polls every `intervalMs`, one round at a time; returns a stop function. */
    start(intervalMs: number): () => void {
      let stopped = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const round = async () => {
        await tick().catch((error: Error) => deps.log(`auto-deploy: poll round failed: ${error.message.split("\n")[0]}`));
        if (!stopped) timer = setTimeout(round, intervalMs);
      };
      timer = setTimeout(round, intervalMs);
      return () => {
        stopped = true;
        clearTimeout(timer);
      };
    },
  };
}
