import { invalid } from "../../core/errors.ts";
import { DNS_LABEL } from "../../core/names.ts";
import type { EnvironmentPlan } from "../../ports/runtime.ts";

/** Project and environment names become container, network and namespace names: both runtimes refuse one that is not a DNS label before touching anything. */
export function checkNames(project: string, environment: string): void {
  if (!DNS_LABEL.test(project)) throw invalid(`project name ${JSON.stringify(project)} is not a DNS label`);
  if (!DNS_LABEL.test(environment)) throw invalid(`environment name ${JSON.stringify(environment)} is not a DNS label`);
}

/**
 * What both runtimes refuse in a plan before touching anything: names that are not DNS labels, a block
 * twice, replica counts and a release that are not whole numbers; `hashes` also wants each block's config
 * hash (the docker runtime compares containers by it).
 */
export function checkPlan(plan: EnvironmentPlan, options: { hashes: boolean }): void {
  checkNames(plan.project, plan.environment);
  const seen = new Set<string>();
  for (const block of plan.blocks) {
    if (!DNS_LABEL.test(block.block)) throw invalid(`block name ${JSON.stringify(block.block)} is not a DNS label`);
    if (seen.has(block.block)) throw invalid(`block ${block.block} appears twice in the plan`);
    if (!Number.isInteger(block.replicas) || block.replicas < 0) throw invalid(`block ${block.block}: replicas must be a whole number ≥ 0`);
    if (options.hashes && !block.hash) throw invalid(`block ${block.block} has no hash`);
    seen.add(block.block);
  }
  if (!Number.isInteger(plan.release) || plan.release < 0) throw invalid(`release must be a whole number, got ${plan.release}`);
}
