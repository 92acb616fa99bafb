import type { BlockStatus, Diff, Releases, Status, Top } from "./api.ts";
import { age, bytes, percent, rate, shortCommit, type Column } from "./format.ts";

/** A table as a view shows it: its columns, its rows, and the text `/` filters on. */
export interface TableModel<Row = unknown> {
  columns: Column<Row>[];
  rows: Row[];
  text: (row: Row) => string;
  /** What the table shows when it has no rows. */
  empty: string;
}

export interface BlockRow {
  name: string;
  kind: string;
  state: string;
  replicas: string;
  release: string;
  commit: string;
  url: string;
  cpu: string;
  memory: string;
  rps: string;
}

/** The blocks of an environment: status, the live release's commits and the newest samples, merged per block. */
export function blockRows(status: Status | null, top: Top | null, releases: Releases | null): BlockRow[] {
  if (!status) return [];
  const live = releases?.releases.find((r) => r.live);
  return [...status.blocks]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((b: BlockStatus) => {
      const samples = top?.replicas.filter((r) => r.block === b.name) ?? [];
      const sum = (pick: (r: (typeof samples)[number]) => number) => samples.reduce((total, r) => total + pick(r), 0);
      return {
        name: b.name,
        kind: b.kind,
        state: b.state,
        replicas: `${b.ready}/${b.wanted}`,
        release: b.release ? `#${b.release}` : "-",
        commit: shortCommit(live?.blocks.find((x) => x.name === b.name)?.commit),
        url: b.url ?? b.internal ?? "-",
        cpu: samples.length ? percent(sum((r) => r.cpuPercent)) : "-",
        memory: samples.length ? bytes(sum((r) => r.memoryBytes)) : "-",
        // Traffic is measured per block at the edge: every replica's sample carries the same figure.
        rps: samples[0]?.traffic ? rate(samples[0].traffic.requestsPerSecond) : "-",
      };
    });
}

export const blockColumns: Column<BlockRow>[] = [
  { title: "BLOCK", cell: (r) => r.name, priority: 10, max: 20 },
  { title: "KIND", cell: (r) => r.kind, priority: 6 },
  { title: "STATE", cell: (r) => r.state, priority: 9 },
  { title: "READY", cell: (r) => r.replicas, priority: 8 },
  { title: "REL", cell: (r) => r.release, priority: 7 },
  { title: "COMMIT", cell: (r) => r.commit, priority: 2 },
  { title: "URL", cell: (r) => r.url, priority: 3, max: 44 },
  { title: "CPU", cell: (r) => r.cpu, priority: 5, align: "right" },
  { title: "MEM", cell: (r) => r.memory, priority: 4, align: "right" },
  { title: "REQ/S", cell: (r) => r.rps, priority: 1, align: "right" },
];

export type ReleaseRow = Releases["releases"][number];

export const releaseColumns: Column<ReleaseRow>[] = [
  { title: "#", cell: (r) => `${r.number}${r.live ? "*" : ""}`, priority: 10 },
  { title: "STATUS", cell: (r) => r.status, priority: 9 },
  { title: "SOURCE", cell: (r) => r.source, priority: 6 },
  { title: "BY", cell: (r) => r.actor ?? "-", priority: 4, max: 16 },
  { title: "COMMITS", cell: (r) => r.blocks.map((b) => `${b.name}@${shortCommit(b.commit)}`).join(" "), priority: 3, max: 40 },
  { title: "AGE", cell: (r) => age(r.createdAt), priority: 8, align: "right" },
  { title: "REASON", cell: (r) => r.reason ?? "", priority: 2, max: 40 },
];

/** A diff as the lines a confirm shows: one per block that changes, names only, never values. */
export function diffLines(diff: Diff): string[] {
  if (!diff.changes) return [`no changes against ${diff.against}: the same images and settings roll out again`];
  return diff.blocks
    .filter((b) => b.change !== "unchanged")
    .map((b) => {
      const parts: string[] = [];
      if (b.change === "added" || b.change === "removed") parts.push(b.change);
      if (b.commit) parts.push(`commit ${shortCommit(b.commit.from)} → ${shortCommit(b.commit.to)}${b.commit.subjects[0] ? ` (${b.commit.subjects[0]})` : ""}`);
      else if (b.image && b.change === "changed") parts.push("new image");
      const vars = [...b.vars.added.map((v) => `+${v}`), ...b.vars.changed.map((v) => `~${v}`), ...b.vars.removed.map((v) => `-${v}`)];
      if (vars.length) parts.push(`vars ${vars.join(" ")}`);
      if (b.config.length) parts.push(`settings ${b.config.map((c) => c.key).join(", ")}`);
      return `${b.block}: ${parts.join("; ") || "changed"}`;
    });
}

/** Generic columns for the simpler lists: a title and a field each. */
export function fieldColumns<Row>(fields: [title: string, cell: (row: Row) => string, priority: number][]): Column<Row>[] {
  return fields.map(([title, cell, priority]) => ({ title, cell, priority, max: 40 }));
}
