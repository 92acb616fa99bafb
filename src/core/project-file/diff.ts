import { isDeepStrictEqual } from "node:util";
import type { ProjectFile } from "./schema.ts";

/** One line of an apply plan. Names of changed fields only: values (env included) are never listed. */
export interface Change {
  op: "add" | "change" | "remove";
  target: "project" | "block" | "environment" | "override";
  name: string;
  environment?: string;
  fields?: string[];
}

/** Maps whose entries are reported by key (env.LOG_LEVEL) rather than as one field. */
const KEYED_FIELDS = new Set(["env", "args", "volumes", "blocks"]);

/** Field paths that differ between two plain objects, one level into keyed maps. */
export function changedFields(before: object, after: object, prefix = ""): string[] {
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((key) => {
    if (isDeepStrictEqual(a[key], b[key])) return [];
    const path = prefix + key;
    const [x, y] = [a[key], b[key]];
    const nested = KEYED_FIELDS.has(key) || key === "build";
    if (nested && isObject(x ?? {}) && isObject(y ?? {})) return changedFields(x ?? {}, y ?? {}, `${path}.`);
    return [path];
  });
}

const isObject = (v: unknown): v is object => typeof v === "object" && v !== null && !Array.isArray(v);

function diffMaps<T extends object>(
  before: Record<string, T>,
  after: Record<string, T>,
  emit: (op: Change["op"], name: string, fields?: string[]) => void,
) {
  for (const name of Object.keys(after)) {
    const old = before[name];
    if (old === undefined) emit("add", name);
    else if (!isDeepStrictEqual(old, after[name])) emit("change", name, changedFields(old, after[name]!));
  }
  for (const name of Object.keys(before)) if (!(name in after)) emit("remove", name);
}

/** What applying `next` over `current` would change, in a stable order. */
export function diffProject(current: ProjectFile | null, next: ProjectFile): Change[] {
  const changes: Change[] = [];
  if (!current) changes.push({ op: "add", target: "project", name: next.project });
  const before = current ?? { project: next.project, blocks: {}, environments: {} };

  diffMaps(before.blocks, next.blocks, (op, name, fields) => changes.push({ op, target: "block", name, fields }));

  const settings = (e: ProjectFile["environments"][string]) => ({ ref: e.ref, autoDeploy: e.autoDeploy });
  const envSettings = (f: ProjectFile) => Object.fromEntries(Object.entries(f.environments).map(([n, e]) => [n, settings(e)]));
  diffMaps(envSettings(before), envSettings(next), (op, name, fields) => {
    changes.push({ op, target: "environment", name, fields });
  });

  for (const [envName, env] of Object.entries(next.environments)) {
    const old = before.environments[envName]?.blocks ?? {};
    diffMaps(old, env.blocks ?? {}, (op, name, fields) => changes.push({ op, target: "override", name, environment: envName, fields }));
  }
  for (const [envName, env] of Object.entries(before.environments)) {
    if (next.environments[envName]) continue;
    for (const name of Object.keys(env.blocks ?? {})) changes.push({ op: "remove", target: "override", name, environment: envName });
  }
  return changes;
}

/** A plan as the CLI prints it: `+ block web (website)`, `~ prod/api: env.LOG_LEVEL`. */
export function formatChange(change: Change): string {
  const sign = { add: "+", change: "~", remove: "-" }[change.op];
  const label =
    change.target === "override" ? `${change.environment}/${change.name}` : `${change.target} ${change.name}`;
  const fields = change.fields && change.fields.length > 0 ? `: ${change.fields.join(", ")}` : "";
  return `${sign} ${label}${fields}`;
}
