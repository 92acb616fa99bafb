import type { ProjectStore } from "../ports/project-store.ts";
import type { Teardown } from "./environments.ts";
import { invalid, notFound } from "./errors.ts";
import { diffProject, type Change } from "./project-file/diff.ts";
import { domainOwnershipIssues } from "./project-file/domains.ts";
import { exportProjectFile } from "./project-file/export.ts";
import { runtimeIssues, type RuntimeKind } from "./project-file/fleet-rules.ts";
import { parseProjectFile } from "./project-file/parse.ts";
import type { ProjectFile } from "./project-file/schema.ts";

export interface ApplyOptions {
  dryRun?: boolean;
  /** Environments hold deployments and data, so dropping one from the file deletes it only with prune. */
  prune?: boolean;
  /** Asked before anything is checked or changed: whether the caller may apply this project (new or not); throws if not. */
  authorize?: (project: string, exists: boolean) => void;
}

export interface ApplyResult {
  project: string;
  changes: Change[];
  applied: boolean;
}

/** Removes the images built for a project once nothing of it runs any more. */
export type RemoveImages = (project: string) => Promise<unknown>;

/** Domains under the install's base domain that are not the block's own, and domains another project holds. */
export function installDomainIssues(store: ProjectStore, baseDomain: string, file: ProjectFile) {
  const others = store.listProjects().flatMap(({ name }) => (name === file.project ? [] : [store.loadProject(name)!]));
  return domainOwnershipIssues(file, baseDomain, others);
}

export interface ProjectsDeps {
  store: ProjectStore;
  teardown: Teardown;
  baseDomain: string;
  removeImages?: RemoveImages;
  /** The install's runtime: fleet mode (k3s) refuses at apply what Kubernetes would refuse at deploy. */
  runtime?: RuntimeKind;
}

export function createProjects({ store, teardown, baseDomain, removeImages = async () => {}, runtime = "docker" }: ProjectsDeps) {
  const load = (name: string): ProjectFile => {
    const file = store.loadProject(name);
    if (!file) throw notFound(`project "${name}"`);
    return file;
  };

  return {
    list: () => store.listProjects(),
    get: load,

    async apply(text: string, options: ApplyOptions = {}): Promise<ApplyResult> {
      const next = parseProjectFile(text);
      options.authorize?.(next.project, store.loadProject(next.project) !== null);
      const taken = installDomainIssues(store, baseDomain, next);
      if (taken.length > 0) throw invalid("berth.yaml has errors", taken);
      const unfit = runtimeIssues(runtime, next);
      if (unfit.length > 0) throw invalid(`berth.yaml has names or schedules Kubernetes would refuse, and this install runs fleet mode (runtime: ${runtime})`, unfit);
      const current = store.loadProject(next.project);
      const changes = diffProject(current, next);
      const dropped = changes.filter((c) => c.target === "environment" && c.op === "remove").map((c) => c.name);
      if (dropped.length > 0 && !options.prune) {
        throw invalid(
          `environment ${dropped.map((n) => `"${n}"`).join(", ")} exists but is not in the file; add it to the file or pass --prune to delete it`,
          dropped.map((n) => ({ path: `environments.${n}`, message: "missing from the file (use --prune to delete)" })),
        );
      }
      const applied = !options.dryRun && changes.length > 0;
      if (applied) {
        for (const environment of dropped) await teardown(next.project, environment, false);
        store.saveProject(next);
      }
      return { project: next.project, changes, applied };
    },

    exportYaml: (name: string) => exportProjectFile(load(name)),

    async delete(name: string, purgeVolumes = false) {
      for (const environment of Object.keys(load(name).environments)) await teardown(name, environment, purgeVolumes);
      // Before the project's record goes, so a failure here can be retried with the same command.
      await removeImages(name);
      store.deleteProject(name);
    },
  };
}

export type Projects = ReturnType<typeof createProjects>;
