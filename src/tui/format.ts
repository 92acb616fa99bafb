/** Pure formatters for the TUI's cells: golden-tested, no terminal needed. */

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return "-";
  const units = ["B", "K", "M", "G", "T"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) (value /= 1024), unit++;
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)}${units[unit]}`;
}

export const percent = (n: number | null | undefined) => (n === null || n === undefined ? "-" : `${n < 10 ? n.toFixed(1) : Math.round(n)}%`);

export const rate = (n: number | null | undefined) => (n === null || n === undefined ? "-" : n < 10 ? n.toFixed(1) : String(Math.round(n)));

/** "3s", "5m", "2h", "4d" ago, from an ISO time. */
export function age(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "-";
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

export const shortCommit = (sha: string | null | undefined) => (sha ? sha.slice(0, 7) : "-");

/** Cuts to `width` cells, marking the cut with "…". */
export function cut(text: string, width: number): string {
  if (width <= 0) return "";
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

export interface Column<Row> {
  title: string;
  cell: (row: Row) => string;
  /** Lower goes first when the terminal is too narrow for every column. */
  priority: number;
  /** The widest the column may get; it takes the rest of the width when unset. */
  max?: number;
  align?: "left" | "right";
}

/** The columns that fit `width` (dropping the least important first), each with its width. */
export function fitColumns<Row>(columns: Column<Row>[], rows: Row[], width: number): { column: Column<Row>; width: number }[] {
  const natural = (c: Column<Row>) => Math.min(c.max ?? Infinity, Math.max(c.title.length, ...rows.map((r) => c.cell(r).length)));
  let kept = [...columns];
  const total = (cols: Column<Row>[]) => cols.reduce((sum, c) => sum + Math.min(natural(c), 12) + 2, 0);
  while (kept.length > 1 && total(kept) > width) {
    const least = kept.reduce((a, b) => (b.priority < a.priority ? b : a));
    kept = kept.filter((c) => c !== least);
  }
  const widths = kept.map((c) => natural(c));
  // Shrink the widest columns until the row fits.
  while (widths.reduce((a, b) => a + b + 2, 0) > width) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! <= 4) break;
    widths[widest]!--;
  }
  return kept.map((column, i) => ({ column, width: widths[i]! }));
}

/** One line of a table: each cell cut and padded to its column. */
export function tableLine(cells: string[], widths: number[], aligns: ("left" | "right" | undefined)[] = []): string {
  return cells
    .map((cell, i) => {
      const text = cut(cell, widths[i]!);
      return aligns[i] === "right" ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
    })
    .join("  ")
    .trimEnd();
}

/** The rows whose text contains the filter, case-insensitively. */
export function filterRows<Row>(rows: Row[], filter: string | undefined, text: (row: Row) => string): Row[] {
  const needle = filter?.trim().toLowerCase();
  return needle ? rows.filter((r) => text(r).toLowerCase().includes(needle)) : rows;
}

/** The window of rows to show around the cursor so it stays visible. */
export function scrollWindow(count: number, cursor: number, height: number): { start: number; end: number } {
  if (count <= height) return { start: 0, end: count };
  const start = Math.max(0, Math.min(count - height, cursor - Math.floor(height / 2)));
  return { start, end: start + height };
}

/** A long line broken into rows of `width` (wrap on), or cut to one (wrap off). */
export function wrapLine(text: string, width: number, wrap: boolean): string[] {
  if (!wrap || text.length <= width || width <= 0) return [cut(text, width)];
  const rows: string[] = [];
  for (let i = 0; i < text.length; i += width) rows.push(text.slice(i, i + width));
  return rows;
}
