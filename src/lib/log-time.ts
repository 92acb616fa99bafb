/**
 * Log times as RFC 3339 UTC with exactly nine fraction digits: the engine trims trailing zeros
 * (RFC3339Nano), which breaks text order; padded, text order is time order.
 */
export function normalizeTime(text: string): string | null {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!match) return null;
  if (match[3] !== "Z") {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) return null;
    return `${new Date(ms).toISOString().slice(0, 19)}.${(match[2] ?? "").padEnd(9, "0")}Z`;
  }
  return `${match[1]}.${(match[2] ?? "").padEnd(9, "0")}Z`;
}

/** A time in ms since the epoch, in the same form. */
export const timeFromMs = (ms: number): string => `${new Date(ms).toISOString().slice(0, 23)}000000Z`;

/** The engine's `since` form: seconds and nanoseconds since the epoch. */
export function engineSince(time: string): string {
  const seconds = Math.floor(Date.parse(`${time.slice(0, 19)}Z`) / 1000);
  return `${seconds}.${time.slice(20, 29)}`;
}
