import { templateNamed } from "../catalog/catalog.ts";
import { referencesIn } from "../catalog/references.ts";
import type { FieldIssue } from "../errors.ts";
import type { BlockOverride, BlockSpec, ProjectFile } from "./schema.ts";

/** A templated service takes image, build and source from its template; version and backup need one. */
export function templateIssues(spec: BlockSpec | BlockOverride, path: string, template = spec.template): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!template) {
    for (const key of ["version", "backup"] as const) if (spec[key] !== undefined) issues.push({ path: `${path}.${key}`, message: "needs a `template`" });
    return issues;
  }
  const t = templateNamed(template)!;
  for (const key of ["git", "image", "build"] as const) {
    if (spec[key] !== undefined) issues.push({ path: `${path}.${key}`, message: `a ${template} service runs the template's image: drop \`${key}\`` });
  }
  if (spec.version !== undefined && !t.versions.supported.includes(spec.version)) {
    issues.push({ path: `${path}.version`, message: `${template} ${spec.version} is not supported (supported: ${t.versions.supported.join(", ")})` });
  }
  if (spec.backup && !t.dump) issues.push({ path: `${path}.backup`, message: `the ${template} template has no dump to back up: keep its volume instead` });
  return issues;
}

/** `${{ block.field }}` in any env: the block must be a templated service that exports the field. */
export function referenceIssues(file: ProjectFile): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const check = (from: string, env: Record<string, string> | undefined, path: string) => {
    for (const [name, value] of Object.entries(env ?? {})) {
      for (const ref of referencesIn(value)) {
        const where = `${path}.env.${name}`;
        const target = file.blocks[ref.block];
        const template = templateNamed(target?.template);
        if (!target) issues.push({ path: where, message: `no block named "${ref.block}" to read ${ref.field} from` });
        else if (ref.block === from) issues.push({ path: where, message: `a block cannot read its own exports` });
        else if (!template) issues.push({ path: where, message: `block "${ref.block}" is not a service from the catalog (set its \`template\`)` });
        else if (!(ref.field in template.exports)) {
          issues.push({ path: where, message: `service "${ref.block}" has no export "${ref.field}" (it has: ${Object.keys(template.exports).join(", ")})` });
        }
      }
    }
  };
  for (const [name, spec] of Object.entries(file.blocks)) check(name, spec.env, `blocks.${name}`);
  for (const [envName, env] of Object.entries(file.environments)) {
    for (const [name, override] of Object.entries(env.blocks ?? {})) {
      const path = `environments.${envName}.blocks.${name}`;
      check(name, override.env, path);
      const base = file.blocks[name];
      if (base && (override.version !== undefined || override.backup !== undefined || override.template !== undefined)) {
        issues.push(...templateIssues({ ...override, git: undefined, image: undefined, build: undefined }, path, override.template ?? base.template));
      }
    }
  }
  return issues;
}
