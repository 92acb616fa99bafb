/** @jsxImportSource preact */
// A block's CPU, memory, requests, p95 latency and 5xx over 1 h, 24 h or 7 d.
import { unwrap } from "../../../src/client/index.ts";
import { useSession } from "../context.ts";
import { Chart } from "../components/chart.tsx";
import { EnvNav } from "../components/env-nav.tsx";
import { bytes } from "../format.ts";
import { setQuery, type Place } from "../router.ts";
import { useData } from "../use-data.ts";

const RANGES = ["1h", "24h", "7d"] as const;

interface Point {
  at: number;
  replica: number;
  cpuPercent: number;
  memoryBytes: number;
}

/** Replicas summed per instant: the block's whole use. */
function perInstant(points: Point[], pick: (p: Point) => number): [number[], number[]] {
  const sums = new Map<number, number>();
  for (const p of points) sums.set(p.at, (sums.get(p.at) ?? 0) + pick(p));
  const times = [...sums.keys()].sort((a, b) => a - b);
  return [times, times.map((t) => sums.get(t)!)];
}

export function Metrics({ params, query }: { params: Record<string, string>; query: Place["query"] }) {
  const { project, env } = params as { project: string; env: string };
  const { client } = useSession();
  const blocks = useData(() => unwrap(client.projects[":project"].blocks.$get({ param: { project } })), [project]);
  const served = (blocks.data?.blocks ?? []).filter((b) => b.kind !== "job");
  const block = query.get("block") ?? served[0]?.name ?? "";
  const range = (RANGES as readonly string[]).includes(query.get("range") ?? "") ? query.get("range")! : "1h";
  const series = useData(
    async () => (block ? unwrap(client.projects[":project"].environments[":env"].blocks[":block"].metrics.$get({ param: { project, env, block }, query: { since: range } })) : null),
    [project, env, block, range],
  );
  const s = series.data;
  const [cpuT, cpu] = perInstant(s?.replicas ?? [], (p) => p.cpuPercent);
  const [memT, mem] = perInstant(s?.replicas ?? [], (p) => p.memoryBytes);
  const traffic = s?.traffic ?? [];
  const tt = traffic.map((p) => p.at);
  return (
    <section>
      <EnvNav project={project} env={env} at="metrics" />
      <h1>Metrics of {project} / {env}</h1>
      <div class="filters">
        <select aria-label="Block" value={block} onChange={(e) => setQuery({ block: e.currentTarget.value })}>
          {served.map((b) => <option key={b.name} value={b.name}>{b.name}</option>)}
        </select>
        <div role="group" aria-label="Time range" class="segmented">
          {RANGES.map((r) => (
            <button type="button" key={r} aria-pressed={r === range} onClick={() => setQuery({ range: r })}>{r}</button>
          ))}
        </div>
        <button type="button" onClick={series.reload}>Refresh</button>
      </div>
      {series.error && <p class="error" role="alert">{series.error}</p>}
      {s && (
        <div class="charts">
          <Chart title="CPU" times={cpuT} values={cpu} format={(v) => `${v.toFixed(v < 1 ? 3 : v < 10 ? 2 : 0)}%`} />
          <Chart title="Memory" times={memT} values={mem} format={bytes} />
          <Chart title="Requests" times={tt} values={traffic.map((p) => p.requestsPerSecond)} format={(v) => `${v.toFixed(1)}/s`} />
          <Chart title="p95 latency" times={tt} values={traffic.map((p) => p.p95Ms)} format={(v) => `${Math.round(v)} ms`} />
          <Chart title="5xx" times={tt} values={traffic.map((p) => p.errorsPerSecond)} format={(v) => `${v.toFixed(2)}/s`} />
        </div>
      )}
    </section>
  );
}
