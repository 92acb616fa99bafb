import { z } from "zod";

/** A user (and group) the container's process runs as: a name or number, as `docker run --user` takes it. */
export const containerUser = z
  .string()
  .max(64)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/, 'expected a user such as "1000", "1000:1000" or "app:app"');

const SECONDS = { s: 1, m: 60, h: 3600 } as const;

/** "30s" → 30, "2m" → 120; the format is checked by the `duration` field. */
export function durationSeconds(duration: string): number {
  const match = /^(\d+)(s|m|h)$/.exec(duration);
  if (!match) throw new Error(`not a duration: ${duration}`);
  return Number(match[1]) * SECONDS[match[2] as keyof typeof SECONDS];
}
