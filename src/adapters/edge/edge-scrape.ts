import type { EdgeCounters } from "../../ports/stats-source.ts";

const CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/** `name{a="x",b="y"} 12` → its parts; comments and blank lines give null. */
export function parseSampleLine(line: string): { name: string; labels: Record<string, string>; value: number } | null {
  if (!line || line.startsWith("#")) return null;
  const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
  if (!match) return null;
  const labels: Record<string, string> = {};
  for (const pair of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
  return { name: match[1]!, labels, value: Number(match[3]) };
}

/**
 * Per-block counters from the edge's own exposition (see src/edge/metrics.ts): requests by
 * status class, response bytes and the latency histogram, turned back into per-bucket counts.
 */
export function parseEdgeCounters(text: string): EdgeCounters[] {
  const blocks = new Map<string, EdgeCounters & { cumulative: Map<string, number> }>();
  const entry = (labels: Record<string, string>) => {
    const key = `${labels.project}/${labels.env}/${labels.block}`;
    let found = blocks.get(key);
    if (!found) {
      found = { project: labels.project ?? "", environment: labels.env ?? "", block: labels.block ?? "", byClass: [0, 0, 0, 0, 0], bytes: 0, buckets: [], latencySum: 0, cumulative: new Map() };
      blocks.set(key, found);
    }
    return found;
  };
  for (const line of text.split("\n")) {
    const sample = parseSampleLine(line);
    if (!sample || sample.labels.project === undefined) continue;
    if (sample.name === "berth_edge_requests_total") {
      const i = CLASSES.indexOf(sample.labels.status ?? "");
      if (i >= 0) entry(sample.labels).byClass[i] = sample.value;
    } else if (sample.name === "berth_edge_response_bytes_total") entry(sample.labels).bytes = sample.value;
    else if (sample.name === "berth_edge_request_duration_seconds_sum") entry(sample.labels).latencySum = sample.value;
    else if (sample.name === "berth_edge_request_duration_seconds_bucket") entry(sample.labels).cumulative.set(sample.labels.le ?? "", sample.value);
  }
  return [...blocks.values()].map(({ cumulative, ...counters }) => {
    const bounds = [...cumulative.keys()].sort((a, b) => (a === "+Inf" ? 1 : b === "+Inf" ? -1 : Number(a) - Number(b)));
    let below = 0;
    const buckets = bounds.map((le) => {
      const value = cumulative.get(le)! - below;
      below = cumulative.get(le)!;
      return value;
    });
    return { ...counters, buckets };
  });
}

/** Reads the edge's metrics listener; null when nothing answers there (the edge is down or restarting). */
export function createEdgeScrape(metricsUrl: string, timeoutMs = 2000) {
  return async function scrapeEdge(): Promise<EdgeCounters[] | null> {
    let response: Response;
    try {
      response = await fetch(`${metricsUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    } catch {
      return null;
    }
    if (!response.ok) throw new Error(`the edge's metrics answered ${response.status}`);
    return parseEdgeCounters(await response.text());
  };
}
