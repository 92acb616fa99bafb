/** @jsxImportSource preact */
// What a deploy or a promote would change, block by block (the API's diff).
export interface Diff {
  against: string;
  live: number | null;
  changes: boolean;
  blocks: { block: string; change: string; commit: unknown; image: boolean; vars: { added: string[]; changed: string[]; removed: string[] }; config: unknown[] }[];
}

function summary(b: Diff["blocks"][number]): string {
  if (b.change !== "changed") return b.change;
  const parts: string[] = [];
  if (b.image) parts.push("new image");
  if (b.commit && typeof b.commit === "object") {
    const c = b.commit as { from?: string | null; to?: string | null; commits?: unknown[] };
    parts.push(`${c.commits?.length ?? "new"} commit(s)`);
  }
  const v = b.vars;
  if (v.added.length) parts.push(`variables added: ${v.added.join(", ")}`);
  if (v.changed.length) parts.push(`variables changed: ${v.changed.join(", ")}`);
  if (v.removed.length) parts.push(`variables removed: ${v.removed.join(", ")}`);
  if (b.config.length) parts.push(`${b.config.length} setting(s)`);
  return parts.join("; ") || "changed";
}

export function Changes({ diff, title = "Not deployed yet" }: { diff: Diff; title?: string }) {
  const changed = diff.blocks.filter((b) => b.change !== "unchanged");
  if (!diff.changes || changed.length === 0) return <p class="meta">Nothing changed since the live release ({diff.against}).</p>;
  return (
    <div class="changes" aria-label="Changes">
      <h2>{title}</h2>
      <p class="meta">Compared with {diff.live === null ? "nothing live" : `the live release ${diff.live}`}, {diff.against}:</p>
      <ul>
        {changed.map((b) => (
          <li key={b.block}>
            <strong>{b.block}</strong>: {summary(b)}
          </li>
        ))}
      </ul>
    </div>
  );
}
