import { notFound } from "../errors.ts";
import type { BlockSpec, ProjectFile } from "./schema.ts";

/** Maps whose entries merge key by key; any other key set by an override replaces the block's. */
const MERGED = ["git", "build", "env", "volumes", "resources"] as const;

/**
 * A block as it runs in one environment: the block's keys, overlaid by that environment's
 * override. The git ref is, first to last: the override's `ref`, the override's `git.ref`,
 * the environment's `ref`, the block's `git.ref`; unset means the repository's default branch.
 */
export function resolveBlock(file: ProjectFile, environment: string, block: string): BlockSpec {
  const base = file.blocks[block];
  if (!base) throw notFound(`block "${block}" in project "${file.project}"`);
  const env = file.environments[environment];
  if (!env) throw notFound(`environment "${environment}" in project "${file.project}"`);
  const { ref, ...override } = env.blocks?.[block] ?? {};
  const spec: BlockSpec = { ...base, ...override };
  for (const key of MERGED) {
    if (base[key] && override[key]) (spec as Record<string, unknown>)[key] = { ...base[key], ...override[key] };
  }
  if (spec.git) {
    const gitRef = ref ?? override.git?.ref ?? env.ref ?? base.git?.ref;
    spec.git = { ...spec.git, ...(gitRef !== undefined && { ref: gitRef }) };
  }
  return spec;
}
