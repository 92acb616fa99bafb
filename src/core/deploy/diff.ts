import type { RecordedVariable } from "../../ports/release-store.ts";
import type { BlockSpec } from "../project-file/schema.ts";
import { canonical } from "./config-drift.ts";

/** One block as it runs now, or as a deploy or promote would run it. */
export interface BlockSide {
  name: string;
  /** null: not known before a build (a deploy of a new commit builds a new image). */
  imageId: string | null;
  commit: string | null;
  spec: BlockSpec;
  /** Recorded variables (secrets sealed); null when the release predates recording them. */
  vars: Record<string, RecordedVariable> | null;
}

export interface ConfigChange {
  key: string;
  from: unknown;
  to: unknown;
}

export interface BlockDiff {
  block: string;
  change: "added" | "removed" | "changed" | "unchanged";
  /** Commit from → to, with the subjects of the commits between them (newest first). */
  commit: { from: string | null; to: string | null; subjects: string[] } | null;
  image: boolean;
  /** Names only: values, secret or not, never appear in a diff. */
  vars: { added: string[]; changed: string[]; removed: string[] };
  config: ConfigChange[];
}

export interface Diff {
  project: string;
  environment: string;
  /** What the environment is compared with: "the next deploy", "dev#4". */
  against: string;
  /** The live release compared, if any. */
  live: number | null;
  changes: boolean;
  blocks: BlockDiff[];
}

/** Keys that say how a block runs; its source and variables are compared on their own. */
const SOURCE_KEYS = new Set(["git", "image", "build", "env"]);

const same = (a: unknown, b: unknown) => canonical(a ?? null) === canonical(b ?? null);

export function configChanges(from: BlockSpec, to: BlockSpec): ConfigChange[] {
  const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].filter((k) => !SOURCE_KEYS.has(k)).sort();
  return keys.flatMap((key) => {
    const [a, b] = [from[key as keyof BlockSpec], to[key as keyof BlockSpec]];
    return same(a, b) ? [] : [{ key, from: a ?? null, to: b ?? null }];
  });
}

/** Sealed values compare as stored: a secret set again counts as changed even if its value is the same. */
export function variableChanges(from: Record<string, RecordedVariable> | null, to: Record<string, RecordedVariable> | null) {
  if (!from || !to) return { added: [], changed: [], removed: [] };
  const names = (r: Record<string, RecordedVariable>) => Object.keys(r).sort();
  return {
    added: names(to).filter((n) => !(n in from)),
    changed: names(to).filter((n) => n in from && !same(from[n], to[n])),
    removed: names(from).filter((n) => !(n in to)),
  };
}

/** The difference between what runs (`now`) and what would run (`next`), block by block. */
export function diffBlocks(now: BlockSide[], next: BlockSide[], subjects: (block: string) => string[] = () => []): BlockDiff[] {
  const before = new Map(now.map((b) => [b.name, b]));
  const after = new Map(next.map((b) => [b.name, b]));
  const names = [...new Set([...after.keys(), ...before.keys()])];
  return names.map((name): BlockDiff => {
    const [a, b] = [before.get(name), after.get(name)];
    const none = { added: [], changed: [], removed: [] };
    if (!a) return { block: name, change: "added", commit: b!.commit ? { from: null, to: b!.commit, subjects: [] } : null, image: true, vars: variableChanges({}, b!.vars), config: [] };
    if (!b) return { block: name, change: "removed", commit: null, image: true, vars: none, config: [] };
    const commitChanged = a.commit !== b.commit;
    const commit = commitChanged ? { from: a.commit, to: b.commit, subjects: subjects(name) } : null;
    const image = b.imageId === null ? commitChanged : a.imageId !== b.imageId;
    const vars = variableChanges(a.vars, b.vars);
    const config = configChanges(a.spec, b.spec);
    const changed = Boolean(commit) || image || config.length > 0 || vars.added.length + vars.changed.length + vars.removed.length > 0;
    return { block: name, change: changed ? "changed" : "unchanged", commit, image, vars, config };
  });
}

const short = (commit: string | null) => commit?.slice(0, 7) ?? "none";
const shown = (value: unknown) => (value === null ? "unset" : typeof value === "object" ? JSON.stringify(value) : String(value));

/** The diff as lines a person reads; "no changes" when there is nothing to do. */
export function diffLines(diff: Diff): string[] {
  const lines = [`${diff.project}/${diff.environment}${diff.live === null ? " (never deployed)" : ` release ${diff.live}`} → ${diff.against}`];
  if (!diff.changes) return [...lines, "no changes"];
  for (const b of diff.blocks) {
    if (b.change === "unchanged") continue;
    if (b.change === "added" || b.change === "removed") {
      lines.push(`${b.block}: ${b.change}`);
      continue;
    }
    lines.push(`${b.block}:`);
    if (b.commit) {
      lines.push(`  commit ${short(b.commit.from)} → ${short(b.commit.to)}`);
      for (const subject of b.commit.subjects) lines.push(`    ${subject}`);
    }
    lines.push(`  image ${b.image ? "changes" : "unchanged"}`);
    const { added, changed, removed } = b.vars;
    if (added.length) lines.push(`  variables added: ${added.join(", ")}`);
    if (changed.length) lines.push(`  variables changed: ${changed.join(", ")}`);
    if (removed.length) lines.push(`  variables removed: ${removed.join(", ")}`);
    for (const c of b.config) lines.push(`  ${c.key}: ${shown(c.from)} → ${shown(c.to)}`);
  }
  return lines;
}
