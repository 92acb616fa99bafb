import type { Projects } from "../projects.ts";
import type { Deployments } from "./deployments.ts";

/**
 * After a restore, the state names live releases whose containers may be gone (deleted, or a
 * new machine). Redeploys the live release of every environment where a block it runs is
 * not running, from the release's own images; environments that run already, and stopped ones,
 * are left alone.
 * Returns the releases it started.
 */
export async function bringUpLiveReleases(deps: { projects: Pick<Projects, "list">; deployments: Deployments }, log: (line: string) => void): Promise<number[]> {
  const started: number[] = [];
  for (const project of deps.projects.list()) {
    for (const environment of project.environments) {
      const live = deps.deployments.current(project.name, environment);
      if (!live) continue;
      try {
        const status = await deps.deployments.status(project.name, environment);
        // A stopped environment stays stopped: its missing containers are what `env stop` left.
        if (status.stopped) continue;
        const down = status.blocks.filter((b) => live.blocks.some((l) => l.name === b.name) && b.ready === 0);
        if (down.length === 0) continue;
        const release = deps.deployments.redeployLive(project.name, environment, {});
        log(`restore: ${project.name}/${environment}: ${down.map((b) => b.name).join(", ")} not running; bringing up release ${live.number} (as release ${release.number})`);
        started.push(release.id);
      } catch (error) {
        log(`restore: ${project.name}/${environment}: not brought up: ${(error as Error).message.split("\n")[0]}`);
      }
    }
  }
  return started;
}
