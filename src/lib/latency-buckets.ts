/**
 * Upper bounds (seconds) of the edge's latency histogram. The edge counts with them and the
 * control plane derives p50/p95/p99 from the same bounds, so both import them from here.
 */
export const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

/**
 * The q-quantile (0..1) of a histogram given per bucket (not cumulative, the last one +Inf),
 * interpolated linearly inside its bucket as Prometheus' histogram_quantile does; a quantile
 * in +Inf answers the highest finite bound. Null when nothing was counted.
 */
export function histogramQuantile(q: number, counts: readonly number[], bounds: readonly number[] = LATENCY_BUCKETS): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const inBucket = counts[i]!;
    if (seen + inBucket >= rank && inBucket > 0) {
      if (i >= bounds.length) return bounds[bounds.length - 1]!;
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      return lower + (bounds[i]! - lower) * ((rank - seen) / inBucket);
    }
    seen += inBucket;
  }
  return bounds[bounds.length - 1]!;
}
