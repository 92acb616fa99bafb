import { berthImageProject } from "../builds/image-owner.ts";
import type { FieldIssue } from "../errors.ts";
import type { ProjectFile } from "./schema.ts";

/** `image:` may not name an image Berth built for another project, in a block or an environment's override. */
export function foreignImageIssues(file: ProjectFile): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const check = (path: string, image: string | undefined) => {
    const owner = image === undefined ? null : berthImageProject(image);
    if (owner && owner !== file.project) {
      issues.push({ path, message: `${image} is an image Berth built for project "${owner}"; a project may only run its own images` });
    }
  };
  for (const [name, spec] of Object.entries(file.blocks)) check(`blocks.${name}.image`, spec.image);
  for (const [envName, env] of Object.entries(file.environments)) {
    for (const [name, override] of Object.entries(env.blocks ?? {})) check(`environments.${envName}.blocks.${name}.image`, override.image);
  }
  return issues;
}
