import type { FieldIssue } from "../errors.ts";
import { resolveBlock } from "./resolve.ts";
import type { ProjectFile } from "./schema.ts";

/** A custom domain one block serves in one environment, and where in the file it was set. */
export interface DomainClaim {
  host: string;
  project: string;
  environment: string;
  block: string;
  path: string;
}

const holder = (c: DomainClaim) => `block ${c.block} of project "${c.project}", environment ${c.environment}`;

/** Every custom domain each environment gives its blocks, after per-environment overrides. */
export function domainClaims(file: ProjectFile): DomainClaim[] {
  return Object.keys(file.environments).flatMap((environment) =>
    Object.keys(file.blocks).flatMap((block) => {
      const override = file.environments[environment]!.blocks?.[block]?.domains;
      const path = override ? `environments.${environment}.blocks.${block}.domains` : `blocks.${block}.domains`;
      return (resolveBlock(file, environment, block).domains ?? []).map((host) => ({ host, project: file.project, environment, block, path }));
    }),
  );
}

/**
 * Rules of the file alone: domains only where the edge serves them by host (websites and
 * public microservices), and each domain in one place only, as the edge routes a host to one block.
 */
export function domainFileIssues(file: ProjectFile): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const environment of Object.keys(file.environments)) {
    for (const block of Object.keys(file.blocks)) {
      const spec = resolveBlock(file, environment, block);
      const expose = spec.expose ?? "gateway";
      if (spec.kind === "microservice" && spec.domains?.length && expose !== "public") {
        const set = file.environments[environment]!.blocks?.[block]?.domains ? `environments.${environment}.blocks.${block}.domains` : `blocks.${block}.domains`;
        issues.push({ path: set, message: `domains serve only a microservice with \`expose: public\`; in ${environment} it is \`${expose}\`` });
      }
    }
  }
  const seen = new Map<string, DomainClaim>();
  for (const claim of domainClaims(file)) {
    const first = seen.get(claim.host);
    if (!first) seen.set(claim.host, claim);
    else issues.push({ path: claim.path, message: `${claim.host} is already used by ${holder(first)}; a domain belongs to one block of one environment (set it per environment)` });
  }
  return uniqueIssues(issues);
}

/**
 * Rules against the install: names under the base domain are generated (`{block}.{env}.{project}.{domain}`)
 * and belong to their project, so a custom domain there is refused unless it is the block's own
 * name; and a domain another project already serves is refused, naming it.
 */
export function domainOwnershipIssues(file: ProjectFile, baseDomain: string, others: ProjectFile[]): FieldIssue[] {
  const taken = new Map(others.filter((o) => o.project !== file.project).flatMap(domainClaims).map((c) => [c.host, c]));
  const issues: FieldIssue[] = [];
  for (const claim of domainClaims(file)) {
    const own = `${claim.block}.${claim.environment}.${file.project}.${baseDomain}`;
    if ((claim.host === baseDomain || claim.host.endsWith(`.${baseDomain}`)) && claim.host !== own) {
      const generated = generatedOwner(claim.host, baseDomain);
      const whose = generated && generated !== file.project ? ` and belongs to project "${generated}"` : ", where names are generated";
      issues.push({ path: claim.path, message: `${claim.host} is under the install's domain ${baseDomain}${whose}; a custom domain must be a domain of your own (this block's generated name is ${own})` });
      continue;
    }
    const other = taken.get(claim.host);
    if (other) issues.push({ path: claim.path, message: `${claim.host} is already used by ${holder(other)}` });
  }
  return uniqueIssues(issues);
}

/** The project a generated name such as web.stage.seca.localhost points into, if any. */
function generatedOwner(host: string, baseDomain: string): string | null {
  const labels = host.slice(0, -(baseDomain.length + 1)).split(".");
  return labels.length >= 3 ? labels.at(-1)! : null;
}

/** One line per problem: a block-level domain repeats in every environment. */
function uniqueIssues(issues: FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => !seen.has(`${i.path} ${i.message}`) && seen.add(`${i.path} ${i.message}`));
}
