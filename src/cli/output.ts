const ANSI = /\x1b\[[0-9;]*m/g;
const visible = (text: string) => text.replace(ANSI, "").length;

/** Rows as aligned columns under upper-case headers, like kubectl and docker print. Colour codes take no width. */
export function table(headers: string[], rows: (string | number | boolean | null | undefined)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? "-" : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => visible(r[i]!))));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + " ".repeat(widths[i]! - visible(c)))).join("  ")).join("\n");
}

export const json = (value: unknown) => JSON.stringify(value, null, 2);

/** "just now", "42 s ago", "3 min ago", "5 h ago", "2 d ago"; a date beyond a month. Tables only: --json keeps timestamps. */
export function ago(timestamp: string | null | undefined, now = Date.now()): string | null {
  if (!timestamp) return null;
  const then = Date.parse(timestamp.includes("T") || timestamp.endsWith("Z") ? timestamp : `${timestamp.replace(" ", "T")}Z`);
  if (Number.isNaN(then)) return timestamp;
  const seconds = Math.round((now - then) / 1000);
  if (seconds < 5) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  if (seconds < 30 * 86_400) return `${Math.floor(seconds / 86_400)} d ago`;
  return new Date(then).toISOString().slice(0, 10);
}

const COLOURS = { red: 31, green: 32, yellow: 33, dim: 2 } as const;
export type Colour = keyof typeof COLOURS;

/** Colours text when the terminal wants it (a TTY, no NO_COLOR); plain otherwise. */
export const painter = (enabled: boolean) => (text: string, colour: Colour) => (enabled ? `\x1b[${COLOURS[colour]}m${text}\x1b[0m` : text);

/** The colour of a block or release state. */
export function stateColour(state: string): Colour | null {
  if (/^(running|deployed|succeeded)$/.test(state)) return "green";
  if (/^(failed|crashloop|cancelled|timed-out)/.test(state)) return "red";
  if (/^(building|deploying|queued|running-build|pending)$/.test(state)) return "yellow";
  if (state === "stopped") return "dim";
  return null;
}

/** A state word in its colour (when painting is on). */
export function colourState(paint: (text: string, colour: Colour) => string, state: string): string {
  const colour = stateColour(state);
  return colour ? paint(state, colour) : state;
}
