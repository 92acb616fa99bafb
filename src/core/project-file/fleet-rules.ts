import { DNS_LABEL } from "../names.ts";
import type { FieldIssue } from "../errors.ts";
import type { BlockOverride, BlockSpec, ProjectFile } from "./schema.ts";

/**
 * What Kubernetes refuses that Berth's own rules let through: fleet mode checks a project file
 * with these before it renders anything, so the user hears the field, not an API server's error.
 */

const MAX_LABEL = 63;
/** A CronJob's controller names its Jobs `<name>-<11 characters>`, within 63. */
const MAX_CRONJOB_NAME = 52;

/** Why a name is no Kubernetes object name (a DNS-1123 label, or DNS-1035 for a Service), or null. */
export function kubernetesNameProblem(name: string, options: { service?: boolean; max?: number } = {}): string | null {
  const max = options.max ?? MAX_LABEL;
  if (name.length > max) return `Kubernetes takes names of at most ${max} characters here (this one has ${name.length})`;
  if (!DNS_LABEL.test(name)) return "Kubernetes needs names of lowercase letters, digits and '-' that start and end with a letter or digit";
  if (options.service && !/^[a-z]/.test(name)) return "Kubernetes needs Service names that start with a letter, and a block with a port becomes a Service of its name";
  return null;
}

const DESCRIPTORS = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
/** Field bounds of the parser CronJobs use (robfig/cron's standard one): its weekdays are 0–6, names allowed. */
const FIELDS: { what: string; min: number; max: number; names?: string[] }[] = [
  { what: "minute", min: 0, max: 59 },
  { what: "hour", min: 0, max: 23 },
  { what: "day of month", min: 1, max: 31 },
  { what: "month", min: 1, max: 12, names: MONTHS },
  { what: "day of week", min: 0, max: 6, names: DAYS },
];

function valueOf(text: string, field: (typeof FIELDS)[number]): number | null {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + field.min;
  if (!/^\d+$/.test(text)) return null;
  const value = Number(text);
  return value >= field.min && value <= field.max ? value : null;
}

function fieldProblem(text: string, field: (typeof FIELDS)[number]): string | null {
  for (const item of text.split(",")) {
    const [range, step, extra] = item.split("/");
    const bad = `the ${field.what} field "${text}" is not one Kubernetes reads (${field.min}–${field.max}, '*', ranges, lists and steps${field.names ? ", or names" : ""})`;
    if (extra !== undefined || range === undefined || range === "") return bad;
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) return bad;
    if (range === "*" || range === "?") continue;
    const [low, high, more] = range.split("-");
    if (more !== undefined || valueOf(low!, field) === null) return bad;
    if (high !== undefined && (valueOf(high, field) === null || valueOf(high, field)! < valueOf(low!, field)!)) return bad;
  }
  return null;
}

/** Why the CronJob parser would refuse a pattern Berth's scheduler takes (seconds, @every, L, W, #, weekday 7), or null. */
export function kubernetesCronProblem(pattern: string): string | null {
  const trimmed = pattern.trim();
  if (/^(CRON_)?TZ=/.test(trimmed)) return "Kubernetes takes the zone from `timezone`, not from a TZ= prefix";
  if (trimmed.startsWith("@")) return DESCRIPTORS.has(trimmed) ? null : `Kubernetes reads only ${[...DESCRIPTORS].join(", ")} of the @ forms, not "${trimmed}"`;
  const fields = trimmed.split(/\s+/);
  if (fields.length === 6) return "Kubernetes reads 5-field patterns only: drop the leading seconds field";
  if (fields.length !== 5) return `Kubernetes reads 5-field patterns, this one has ${fields.length}`;
  for (const [index, text] of fields.entries()) {
    const problem = fieldProblem(text, FIELDS[index]!);
    if (problem) return problem;
  }
  return null;
}

const getsService = (spec: BlockSpec | BlockOverride, kind: BlockSpec["kind"]) => spec.port !== undefined || kind === "website" || kind === "microservice" || kind === "service";

function scheduleIssues(path: string, spec: BlockSpec | BlockOverride): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const [key, pattern] of [["schedule", spec.schedule], ["backup.schedule", spec.backup?.schedule]] as const) {
    const problem = pattern === undefined ? null : kubernetesCronProblem(pattern);
    if (problem) issues.push({ path: `${path}.${key}`, message: problem });
  }
  return issues;
}

/** Every field of a project file that fleet mode could not render, with its path; empty when it can. */
export function fleetIssues(file: ProjectFile): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const nameIssue = (path: string, name: string, options: Parameters<typeof kubernetesNameProblem>[1]) => {
    const problem = kubernetesNameProblem(name, options);
    if (problem) issues.push({ path, message: problem });
  };
  nameIssue("project", file.project, {});
  for (const [name, spec] of Object.entries(file.blocks)) {
    const overrides = Object.values(file.environments).map((e) => e.blocks?.[name] ?? {});
    const service = getsService(spec, spec.kind) || overrides.some((o) => getsService(o, spec.kind));
    nameIssue(`blocks.${name}`, name, { service, max: spec.kind === "job" ? MAX_CRONJOB_NAME : MAX_LABEL });
    issues.push(...scheduleIssues(`blocks.${name}`, spec));
  }
  for (const [environment, spec] of Object.entries(file.environments)) {
    nameIssue(`environments.${environment}`, environment, {});
    for (const [block, override] of Object.entries(spec.blocks ?? {})) issues.push(...scheduleIssues(`environments.${environment}.blocks.${block}`, override));
  }
  return issues;
}

/** Where an install runs its environments: the one Docker engine, or a k3s cluster (fleet mode). */
export const RUNTIMES = ["docker", "k3s"] as const;
export type RuntimeKind = (typeof RUNTIMES)[number];

/**
 * What the install's runtime refuses of a project file: in fleet mode every name and pattern
 * Kubernetes would refuse, so `berth apply` names the field instead of a deploy failing later.
 */
export function runtimeIssues(runtime: RuntimeKind, file: ProjectFile): FieldIssue[] {
  return runtime === "k3s" ? fleetIssues(file) : [];
}
