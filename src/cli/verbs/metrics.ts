import { unwrap, type Client } from "../../client/index.ts";
import { json, table } from "../output.ts";
import type { Verb } from "../verb.ts";

/** How often `berth top` redraws on a terminal. */
const REFRESH_MS = 2000;

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];
export function bytes(value: number): string {
  let v = value;
  let unit = 0;
  while (Math.abs(v) >= 1024 && unit < UNITS.length - 1) {
    v /= 1024;
    unit++;
  }
  return `${unit === 0 ? Math.round(v) : v.toFixed(1)} ${UNITS[unit]}`;
}
const rate = (value: number) => `${bytes(value)}/s`;
const fixed = (value: number | null | undefined, digits = 1) => (value === null || value === undefined ? null : value.toFixed(digits));
const clock = (at: number) => new Date(at * 1000).toISOString().slice(11, 19);

const topOf = (client: Client, project: string, env: string) => unwrap(client.projects[":project"].environments[":env"].top.$get({ param: { project, env } }));
type Top = Awaited<ReturnType<typeof topOf>>;

/** The table `berth top` prints; a block's traffic shows on its first replica's row (the edge counts per block). */
export function topTable(top: Top): string {
  const rows = top.replicas.map((r, i) => {
    const first = i === 0 || top.replicas[i - 1]!.block !== r.block;
    const t = first ? r.traffic : null;
    return [
      r.block,
      r.replica,
      `${fixed(r.cpuPercent)}%`,
      `${bytes(r.memoryBytes)} (${fixed(r.memoryPercent, 0)}%)`,
      `${rate(r.netRxBps)} / ${rate(r.netTxBps)}`,
      `${rate(r.blockReadBps)} / ${rate(r.blockWriteBps)}`,
      r.restarts,
      t ? fixed(t.requestsPerSecond, 2) : first ? "0" : "",
      t?.p95Ms === null || !t ? (first ? "-" : "") : `${fixed(t.p95Ms)} ms`,
      t ? fixed(t.errorsPerSecond, 2) : first ? "0" : "",
    ];
  });
  const head = `${top.project}/${top.environment}: ${top.at ? `sampled ${clock(top.at)} UTC, every ${top.intervalSeconds} s` : "no samples yet (the first come one or two sampling intervals after start)"}`;
  return `${head}\n${table(["BLOCK", "REPLICA", "CPU", "MEM", "NET RX/TX", "IO R/W", "RESTARTS", "REQ/S", "P95", "5XX/S"], rows)}`;
}

export const metricsVerbs: Verb[] = [
  {
    name: "top",
    summary: "Live CPU, memory, network, I/O and traffic of an environment's replicas (refreshes on a terminal)",
    args: "PROJECT ENV",
    options: { json: { type: "boolean" } },
    optionHelp: ["--json   print one reading as JSON and exit"],
    async run({ args, values, client, out }) {
      const api = await client();
      const [project, env] = [args[0]!, args[1]!];
      if (values.json) return out(json(await topOf(api, project, env)));
      if (!process.stdout.isTTY) return out(topTable(await topOf(api, project, env)));
      let stopped = false;
      const stop = () => (stopped = true);
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      while (!stopped) {
        const view = topTable(await topOf(api, project, env));
        // Home and clear, then the table: the terminal shows one frame, not a scrolling log.
        out(`\x1b[H\x1b[2J${view}\n(Ctrl-C to quit)`);
        await Bun.sleep(REFRESH_MS);
      }
    },
  },
  {
    name: "metrics",
    summary: "A block's CPU, memory, network and traffic over time",
    args: "PROJECT ENV BLOCK",
    options: { since: { type: "string" }, json: { type: "boolean" } },
    optionHelp: ["--since D   how far back: 90s, 30m, 1h (default), 2d, up to 30d; points are 10 s, 1 min or 10 min apart", "--json      print the series as JSON"],
    async run({ args, values, client, out }) {
      const api = await client();
      const param = { project: args[0]!, env: args[1]!, block: args[2]! };
      const series = await unwrap(api.projects[":project"].environments[":env"].blocks[":block"].metrics.$get({ param, query: { since: (values.since as string | undefined) ?? "1h" } }));
      if (values.json) return out(json(series));
      out(`${param.project}/${param.env}/${param.block}: ${series.replicas.length} point(s), ${series.stepSeconds} s apart`);
      out(table(["TIME", "REPLICA", "CPU", "MEM", "NET RX/TX", "IO R/W", "RESTARTS"], series.replicas.map((r) => [clock(r.at), r.replica, `${fixed(r.cpuPercent)}%`, bytes(r.memoryBytes), `${rate(r.netRxBps)} / ${rate(r.netTxBps)}`, `${rate(r.blockReadBps)} / ${rate(r.blockWriteBps)}`, r.restarts])));
      if (series.traffic.length === 0) return out("no requests through the edge in this time");
      out("");
      out(table(["TIME", "REQ/S", "P50", "P95", "P99", "5XX/S", "BYTES/S"], series.traffic.map((t) => [clock(t.at), fixed(t.requestsPerSecond, 2), t.p50Ms === null ? null : `${fixed(t.p50Ms)} ms`, t.p95Ms === null ? null : `${fixed(t.p95Ms)} ms`, t.p99Ms === null ? null : `${fixed(t.p99Ms)} ms`, fixed(t.errorsPerSecond, 2), rate(t.bytesPerSecond)])));
    },
  },
];
