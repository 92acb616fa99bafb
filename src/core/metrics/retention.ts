import type { Tier } from "../../ports/metrics-store.ts";

/** Each tier: the width of its points and how long it is kept. Tier 0's width is the sampling interval. */
export const TIERS = [
  { tier: 0 as Tier, bucketSeconds: 0, keepSeconds: 3600 },
  { tier: 1 as Tier, bucketSeconds: 60, keepSeconds: 2 * 86_400 },
  { tier: 2 as Tier, bucketSeconds: 600, keepSeconds: 30 * 86_400 },
] as const;

/** The finest tier that still holds a window reaching back `seconds`. */
export function tierFor(seconds: number): Tier {
  return (TIERS.find((t) => seconds <= t.keepSeconds) ?? TIERS[2]).tier;
}

/** "1h", "30m", "2d", "90s" → seconds; null for anything else. */
export function parseSince(text: string): number | null {
  const match = /^([1-9][0-9]{0,6})(s|m|h|d)$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as "s" | "m" | "h" | "d"];
}
