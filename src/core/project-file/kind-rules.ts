import type { FieldIssue } from "../errors.ts";
import { foreignImageIssues } from "./image-rules.ts";
import { domainFileIssues } from "./domains.ts";
import { referenceIssues, templateIssues } from "./template-rules.ts";
import type { BlockKey, BlockKind, BlockOverride, BlockSpec, ProjectFile } from "./schema.ts";

/** Keys of every long-running block: how its container is stopped and locked down. */
const RUNS = ["stopGracePeriod", "security", "user"] as const satisfies readonly BlockKey[];

/** Keys that make sense for each kind; any other key on a block of that kind is a mistake. */
const ALLOWED: Record<BlockKind, readonly BlockKey[]> = {
  website: ["git", "image", "build", "port", "health", "env", "command", "replicas", "resources", "password", "domains", "https", "hsts", ...RUNS],
  microservice: ["git", "image", "build", "port", "expose", "health", "env", "command", "replicas", "resources", "domains", "https", "hsts", ...RUNS],
  worker: ["git", "image", "build", "env", "command", "replicas", "resources", ...RUNS],
  service: ["git", "image", "build", "port", "health", "env", "volumes", "command", "resources", "template", "version", "backup", ...RUNS],
  job: ["git", "image", "build", "env", "command", "schedule", "timezone", "startingDeadline", "trigger", "timeout", "resources", "security", "user"],
};

function misplacedKeys(kind: BlockKind, spec: BlockSpec | BlockOverride, path: string): FieldIssue[] {
  const allowed = ALLOWED[kind];
  return Object.keys(spec)
    .filter((key) => key !== "kind" && key !== "ref" && !allowed.includes(key as BlockKey))
    .map((key) => ({ path: `${path}.${key}`, message: `not used by a ${kind} block` }));
}

function blockIssues(name: string, spec: BlockSpec): FieldIssue[] {
  const path = `blocks.${name}`;
  const issues = misplacedKeys(spec.kind, spec, path);
  if (spec.kind === "service") issues.push(...templateIssues(spec, path));
  if (!spec.template && !spec.git && !spec.image) issues.push({ path, message: "needs a source: `git` or `image`" });
  if (spec.git && spec.image) issues.push({ path: `${path}.image`, message: "a block has one source: `git` or `image`, not both" });
  if (spec.build && !spec.git) issues.push({ path: `${path}.build`, message: "a build needs a `git` source" });
  const b = spec.build;
  if (b?.preset && (b.dockerfile || b.args || b.target)) {
    issues.push({ path: `${path}.build`, message: "use either `preset` or `dockerfile`/`args`/`target`, not both" });
  }
  if (b && !b.preset && (b.version || b.command || b.start || b.output)) {
    issues.push({ path: `${path}.build`, message: "`version`, `command`, `start` and `output` need a `preset`" });
  }
  if (b?.process && !b.preset) issues.push({ path: `${path}.build.process`, message: "`process` needs a `preset` (with a Dockerfile, set the block's `command`)" });
  if (b?.process && (b.start || b.output)) issues.push({ path: `${path}.build.process`, message: "`process` chooses the start command: drop `start` and `output`" });
  const servesFolder = b?.preset === "static" || b?.output !== undefined;
  const needsPort = !spec.template && (spec.kind === "microservice" || spec.kind === "service" || (spec.kind === "website" && !servesFolder));
  if (needsPort && spec.port === undefined) issues.push({ path: `${path}.port`, message: `a ${spec.kind} block needs a port` });
  if (name === "auth" && spec.kind === "microservice" && (spec.expose ?? "gateway") === "gateway") {
    issues.push({ path, message: "a gateway API cannot be called \"auth\": gateway.{env}.{project}.{domain}/auth is where clients get tokens" });
  }
  if (spec.kind === "job" && spec.schedule && spec.trigger) {
    issues.push({ path: `${path}.trigger`, message: "a job has either `schedule` or `trigger`, not both" });
  }
  for (const key of ["timezone", "startingDeadline"] as const) {
    if (spec.kind === "job" && spec[key] !== undefined && !spec.schedule) issues.push({ path: `${path}.${key}`, message: "only a job with a `schedule` uses it" });
  }
  return issues;
}

/** Rules that span keys or blocks, checked after the shape is valid. */
export function crossFieldIssues(file: ProjectFile): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const [name, spec] of Object.entries(file.blocks)) issues.push(...blockIssues(name, spec));
  issues.push(...foreignImageIssues(file));
  issues.push(...referenceIssues(file));
  for (const [envName, env] of Object.entries(file.environments)) {
    for (const [blockName, override] of Object.entries(env.blocks ?? {})) {
      const path = `environments.${envName}.blocks.${blockName}`;
      const block = file.blocks[blockName];
      if (!block) {
        issues.push({ path, message: `no block named "${blockName}" in blocks` });
        continue;
      }
      issues.push(...misplacedKeys(block.kind, override, path));
      if (override.ref && !block.git) issues.push({ path: `${path}.ref`, message: "only a block with a `git` source has a ref" });
    }
  }
  issues.push(...domainFileIssues(file));
  return issues;
}
