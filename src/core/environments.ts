import type { ProjectStore } from "../ports/project-store.ts";
import type { VariableStore } from "../ports/variable-store.ts";
import { conflict, invalid, notFound } from "./errors.ts";
import { domainFileIssues } from "./project-file/domains.ts";
import { installDomainIssues } from "./projects.ts";

/** Stops what runs for an environment and drops its routes and access; volumes only when purging. */
export type Teardown = (project: string, environment: string, purgeVolumes: boolean) => Promise<void>;

export function createEnvironments(projects: ProjectStore, variables: VariableStore, teardown: Teardown, baseDomain: string) {
  const load = (project: string) => {
    const file = projects.loadProject(project);
    if (!file) throw notFound(`project "${project}"`);
    return file;
  };

  return {
    list(project: string) {
      const file = load(project);
      return Object.entries(file.environments).map(([name, env]) => ({
        name,
        ref: env.ref ?? null,
        autoDeploy: env.autoDeploy ?? false,
        overrides: Object.keys(env.blocks ?? {}),
        stopped: projects.stoppedSince(project, name) !== null,
      }));
    },

    /** A new environment, empty or cloned from another: its settings, overrides and variables. */
    /** Returns the source's domains left out of the clone, per block. */
    create(project: string, name: string, from?: string): { domainsNotCopied: Record<string, string[]> } {
      const file = load(project);
      if (file.environments[name]) throw conflict(`environment "${name}" already exists in project "${project}"`);
      const source = from === undefined ? {} : file.environments[from];
      if (!source) throw notFound(`environment "${from}" in project "${project}"`);
      const copy = structuredClone(source);
      // A custom domain belongs to one environment: the clone gets everything but its source's domains.
      const domainsNotCopied: Record<string, string[]> = {};
      for (const [block, override] of Object.entries(copy.blocks ?? {})) {
        if (override.domains?.length) domainsNotCopied[block] = override.domains;
        delete override.domains;
      }
      const next = { ...file, environments: { ...file.environments, [name]: copy } };
      // A clone (or a new environment inheriting block-level domains) must not serve a domain another environment holds.
      const issues = [...domainFileIssues(next), ...installDomainIssues(projects, baseDomain, next)];
      if (issues.length > 0) throw invalid(`environment "${name}" cannot be created`, issues);
      projects.saveProject(next);
      if (from !== undefined) variables.copyVariables(project, from, name);
      return { domainsNotCopied };
    },

    async delete(project: string, name: string, purgeVolumes = false) {
      const file = load(project);
      if (!file.environments[name]) throw notFound(`environment "${name}" in project "${project}"`);
      await teardown(project, name, purgeVolumes);
      const { [name]: _removed, ...rest } = file.environments;
      projects.saveProject({ ...file, environments: rest });
    },
  };
}

export type Environments = ReturnType<typeof createEnvironments>;
