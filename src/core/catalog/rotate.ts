import type { ProjectStore } from "../../ports/project-store.ts";
import type { ReleaseRecord, ReleaseStore } from "../../ports/release-store.ts";
import type { Runtime } from "../../ports/runtime.ts";
import type { Deployments } from "../deploy/deployments.ts";
import { conflict, invalid, notFound } from "../errors.ts";
import { generateCredential, type Variables } from "../variables.ts";
import { readersOf } from "./backups.ts";
import { templateNamed } from "./catalog.ts";

export interface RotateDeps {
  projects: Pick<ProjectStore, "loadProject">;
  releases: Pick<ReleaseStore, "currentRelease">;
  runtime: Pick<Runtime, "exec">;
  variables: Pick<Variables, "set">;
  deployments: Pick<Deployments, "redeployLive" | "exclusively">;
}

/**
 * `berth service rotate-password`: a new password, set inside the running service first (when
 * its image keeps the password in its data), then stored, and one release restarts the service
 * and every block that reads its exports with it.
 */
export async function rotatePassword(deps: RotateDeps, project: string, environment: string, block: string, actor?: string): Promise<{ release: ReleaseRecord; restarted: string[] }> {
  if (!deps.projects.loadProject(project)?.environments[environment]) throw notFound(`environment "${environment}" in project "${project}"`);
  const live = deps.releases.currentRelease(project, environment);
  if (!live) throw invalid(`${project}/${environment} has no live release yet: deploy it first`);
  const service = live.blocks.find((b) => b.name === block);
  const template = templateNamed(service?.spec.template);
  if (!service || !template) throw invalid(`${block} is not a service from the catalog in the live release of ${project}/${environment}`);
  if (!template.password) throw invalid(`the ${template.name} template has no password to rotate`);
  const next = generateCredential();
  // Held like a rollout: refused while a release runs (its blocks froze the old password), and
  // no release or restore starts between the change inside the service and the stored value.
  await deps.deployments.exclusively(project, environment, `rotating the password of ${block}`, async () => {
    if (template.rotate) {
      const session = await deps.runtime.exec({ project, environment, block, replica: 0, command: template.rotate, tty: false });
      const said: string[] = [];
      session.onOutput((data) => said.push(new TextDecoder().decode(data)));
      await session.write(new TextEncoder().encode(`${next}\n`));
      session.endInput();
      const code = await session.exited;
      // The secret never appears in what is shown, even if the command echoed it.
      if (code !== 0) throw conflict(`${block}: the password was not changed (exit code ${code}): ${said.join("").replaceAll(next, "••••").trim().split("\n").slice(-2).join(" / ")}`);
    }
    deps.variables.set({ project, environment, block }, { [template.password!]: next }, true);
  });
  const restarted = [block, ...readersOf(live, block)];
  return { release: deps.deployments.redeployLive(project, environment, { restart: restarted }, { source: "rotate-password", actor }), restarted };
}
