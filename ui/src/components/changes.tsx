/** @jsxImportSource preact */
// What a deploy or a promote would change, block by block (the API's diff): commits with their
// subjects, a new image, variable names (never values) and settings.
export interface Diff {
  against: string;
  live: number | null;
  changes: boolean;
  blocks: {
    block: string;
    change: string;
    commit: { from: string | null; to: string | null; subjects: string[] } | null;
    image: boolean;
    vars: { added: string[]; changed: string[]; removed: string[] };
    config: { key: string; from: unknown; to: unknown }[];
  }[];
}

const short = (commit: string | null) => commit?.slice(0, 7) ?? "none";
const setting = (v: unknown) => (v === undefined || v === null ? "—" : typeof v === "string" ? v : JSON.stringify(v));

function summary(b: Diff["blocks"][number]): string {
  if (b.change !== "changed") return b.change;
  const parts: string[] = [];
  if (b.commit) parts.push(`commit ${short(b.commit.from)} → ${short(b.commit.to)}`);
  else if (b.image) parts.push("new image");
  const v = b.vars;
  if (v.added.length) parts.push(`variables added: ${v.added.join(", ")}`);
  if (v.changed.length) parts.push(`variables changed: ${v.changed.join(", ")}`);
  if (v.removed.length) parts.push(`variables removed: ${v.removed.join(", ")}`);
  return parts.join("; ") || (b.config.length ? "settings" : "changed");
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
            {(b.commit?.subjects.length ?? 0) + b.config.length > 0 && (
              <ul>
                {b.commit?.subjects.map((s, i) => <li key={`c${i}`}>{s}</li>)}
                {b.config.map((c) => <li key={c.key}><code>{c.key}</code>: {setting(c.from)} → {setting(c.to)}</li>)}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
