import { invalid, notFound } from "../errors.ts";
import { crossFieldIssues } from "../project-file/kind-rules.ts";
import type { ProjectFile } from "../project-file/schema.ts";

/**
 * The project with new replica counts written into one environment's overrides, as if the
 * user had edited berth.yaml: `scale` lasts across deploys, and `export` shows it.
 */
export function withReplicas(file: ProjectFile, environment: string, replicas: Record<string, number>): ProjectFile {
  const env = file.environments[environment];
  if (!env) throw notFound(`environment "${environment}" in project "${file.project}"`);
  if (Object.keys(replicas).length === 0) throw invalid("name at least one BLOCK=N");
  const overrides = { ...env.blocks };
  for (const [block, count] of Object.entries(replicas)) {
    if (!file.blocks[block]) throw notFound(`block "${block}" in project "${file.project}"`);
    if (!Number.isInteger(count) || count < 0 || count > 100) throw invalid(`${block}: replicas must be a whole number from 0 to 100`);
    overrides[block] = { ...overrides[block], replicas: count };
  }
  const next: ProjectFile = { ...file, environments: { ...file.environments, [environment]: { ...env, blocks: overrides } } };
  const wrong = crossFieldIssues(next).find((issue) => issue.path.endsWith(".replicas"));
  if (wrong) throw invalid(`${wrong.path.split(".").at(-2)}: ${wrong.message.replace("not used by", "replicas do not apply to")}`);
  return next;
}
