import { createHash } from "node:crypto";
import type { ReleaseBlock } from "../../ports/release-store.ts";
import type { VariableRef } from "../../ports/variable-store.ts";
import { releaseVariables } from "../deploy/plan.ts";
import { invalid } from "../errors.ts";
import type { Variables } from "../variables.ts";
import { exportsOf, templateNamed } from "./catalog.ts";
import { referencedBlocks, resolveReferences } from "./references.ts";

export interface WiredVariables {
  env: Record<string, string>;
  /** Changes when the block's own variables or those of a service it reads do (a rotated password). */
  fingerprint: string;
  /** The services it reads from: they start, healthy, before it. */
  dependsOn: string[];
}

/**
 * A release block's variables with each `${{ service.field }}` resolved from the same release's
 * service: its recorded variables, its name on the environment network and its port.
 */
export function wiredVariables(variables: Pick<Variables, "open" | "resolve" | "fingerprint">, ref: VariableRef, block: ReleaseBlock, release: ReleaseBlock[]): WiredVariables {
  const own = releaseVariables(variables, ref, block);
  const used = referencedBlocks(own.env);
  if (used.length === 0) return { ...own, dependsOn: [] };
  const exported = new Map<string, Record<string, string>>();
  const prints = [own.fingerprint];
  for (const name of used) {
    const service = release.find((b) => b.name === name);
    const template = templateNamed(service?.spec.template);
    if (!service || !template) throw invalid(`${block.name}: reads \${{ ${name}.… }}, but ${ref.project}/${ref.environment} has no catalog service "${name}"`);
    const theirs = releaseVariables(variables, { ...ref, block: name }, service);
    exported.set(name, exportsOf(template, theirs.env, name, service.spec.port ?? template.port));
    prints.push(`${name}:${theirs.fingerprint}`);
  }
  const fingerprint = createHash("sha256").update(prints.join("|")).digest("hex").slice(0, 16);
  return { env: resolveReferences(own.env, (name) => exported.get(name)), fingerprint, dependsOn: used };
}
