import { stringify } from "yaml";
import type { BlockSpec, EnvironmentSpec, ProjectFile } from "./schema.ts";

/** The order keys are written in, so an export reads like the documented example. */
const BLOCK_ORDER = [
  "kind", "template", "version", "git", "image", "build", "port", "expose", "health", "command", "env", "volumes", "backup",
  "schedule", "timezone", "startingDeadline", "trigger", "timeout", "ref", "replicas", "resources", "password", "domains",
];

function ordered<T extends object>(value: T, order: readonly string[]): T {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => rank(a, order) - rank(b, order));
  return Object.fromEntries(entries) as T;
}

const rank = (key: string, order: readonly string[]) => {
  const i = order.indexOf(key);
  return i === -1 ? order.length : i;
};

function exportEnvironment(env: EnvironmentSpec): EnvironmentSpec {
  const out: EnvironmentSpec = ordered({ ref: env.ref, autoDeploy: env.autoDeploy }, ["ref", "autoDeploy"]);
  if (env.blocks && Object.keys(env.blocks).length > 0) {
    out.blocks = Object.fromEntries(Object.entries(env.blocks).map(([name, o]) => [name, ordered(o, BLOCK_ORDER)]));
  }
  return out;
}

/** The project as berth.yaml text; applying it back reports no changes. */
export function exportProjectFile(file: ProjectFile): string {
  const doc = {
    project: file.project,
    blocks: Object.fromEntries(Object.entries(file.blocks).map(([name, b]) => [name, ordered<BlockSpec>(b, BLOCK_ORDER)])),
    environments: Object.fromEntries(Object.entries(file.environments).map(([name, e]) => [name, exportEnvironment(e)])),
  };
  return stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}
