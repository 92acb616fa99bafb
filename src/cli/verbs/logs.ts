import type { Client } from "../../client/index.ts";
import { unwrap } from "../../client/index.ts";
import { readEvents } from "../../client/sse.ts";
import type { AccessEntry } from "../../lib/access-log.ts";
import type { LogLine } from "../../ports/container-logs.ts";
import type { BuildRecord } from "../../ports/build-store.ts";
import { followLog } from "../follow.ts";
import type { Colour } from "../output.ts";
import { UsageError, type Values, type Verb, type VerbContext } from "../verb.ts";

const buildId = (text: string) => {
  if (!/^[1-9][0-9]*$/.test(text)) throw new UsageError(`not a build id: ${text}`);
  return text;
};

/** The query string the log routes take, from the command line. */
function logQuery(blocks: string[], values: Values) {
  const number = (name: string, min: number) => {
    const text = values[name] as string | undefined;
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`--${name}: expected a whole number${min > 0 ? ` from ${min}` : ""}, got ${text}`);
    return text;
  };
  const query: Record<string, string> = {};
  if (blocks.length) query.blocks = blocks.join(",");
  for (const name of ["since", "until", "grep"]) if (values[name] !== undefined) query[name] = values[name] as string;
  const tail = number("tail", 0);
  const release = number("release", 1);
  if (tail !== undefined) query.tail = tail;
  if (release !== undefined) query.release = release;
  return query;
}

/**
 * `web/0` before each line when more than one block or replica shows, coloured per block on a
 * terminal; `web/0#12` once lines of two releases' `web/0` have shown (during a deploy the old
 * replica drains while the new one starts).
 */
export function lineWriter(ctx: Pick<VerbContext, "values" | "out" | "paint">, oneBlock: boolean) {
  const sources = new Set<string>();
  const releases = new Map<string, Set<number>>();
  const colours: Colour[] = ["green", "yellow"];
  const blocks: string[] = [];
  return (line: LogLine) => {
    if (ctx.values.json) return ctx.out(JSON.stringify(line));
    const replica = `${line.block}/${line.replica}`;
    const seen = releases.get(replica) ?? releases.set(replica, new Set()).get(replica)!;
    seen.add(line.release);
    const source = seen.size > 1 ? `${replica}#${line.release}` : replica;
    sources.add(`${replica}@${line.container}`);
    if (!blocks.includes(line.block)) blocks.push(line.block);
    const time = ctx.paint(`${line.time.slice(0, 23)}Z`, "dim");
    const prefix = !oneBlock || sources.size > 1 ? `${ctx.paint(source, colours[blocks.indexOf(line.block) % colours.length]!)} ` : "";
    ctx.out(`${time} ${prefix}${line.stream === "stderr" ? ctx.paint(line.text, "red") : line.text}`);
  };
}

function accessWriter(ctx: VerbContext) {
  return (entry: AccessEntry) => {
    if (ctx.values.json) return ctx.out(JSON.stringify(entry));
    const status = ctx.paint(String(entry.status), entry.status >= 500 ? "red" : entry.status >= 400 ? "yellow" : "green");
    ctx.out(`${ctx.paint(entry.time, "dim")} ${entry.block} ${entry.clientIp} ${entry.method} ${entry.host}${entry.path} ${status} ${entry.bytes ?? "-"} ${entry.durationMs}ms ${entry.upstream ?? "-"} ${entry.requestId ?? "-"}`);
  };
}

async function buildLog(id: string, api: Client, values: Values, out: (line: string) => void) {
  if (values.follow) return void (await followLog<BuildRecord>(api.builds[":id"].log.stream.$get({ param: { id } }), () => unwrap(api.builds[":id"].$get({ param: { id } })), out));
  const { lines } = await unwrap(api.builds[":id"].log.$get({ param: { id } }));
  for (const line of lines) out(line);
}

const RECONNECT_MS = 1000;

/**
 * Prints a log stream's events until the user stops it. When the stream drops (serve restarted)
 * it reconnects every second from the last line shown, as `fly logs` does; a revoked token or a
 * refused request ends it with the error.
 */
async function follow<T extends { time: string }>(open: (query: Record<string, string>) => Promise<unknown>, query: Record<string, string>, write: (item: T) => void, err: (line: string) => void) {
  let last = "";
  let said = false;
  for (;;) {
    let denied: string | undefined;
    const resumed = last ? { ...query, since: last, tail: String(MAX_RESUME) } : query;
    try {
      await readEvents((await open(resumed)) as Response, (event) => {
        if (event.event === "denied") denied = event.data;
        if (event.event !== "log") return;
        const item = JSON.parse(event.data) as T;
        // The resumed query starts at the last line shown, inclusive: skip what was printed.
        if (item.time <= last) return;
        last = item.time;
        write(item);
      });
    } catch (error) {
      if (!isConnectionError(error)) throw error;
    }
    if (denied) throw new Error(`log stream closed: ${denied}`);
    if (!said) err("log stream interrupted; reconnecting every second (Ctrl-C stops)");
    said = true;
    await Bun.sleep(RECONNECT_MS);
  }
}

/** Lines a reconnect may catch up with at most: what an outage of serve left unseen. */
const MAX_RESUME = 10_000;

const isConnectionError = (error: unknown) => {
  const code = (error as { code?: string }).code ?? "";
  return /ECONNREFUSED|ECONNRESET|ConnectionRefused|ConnectionClosed|FailedToOpenSocket/.test(code) || (error instanceof TypeError && /fetch|socket|connect/i.test(error.message));
};

export const logsVerb: Verb = {
  name: "logs",
  summary: "Print what an environment's blocks write (-f: keep following); --build ID: a build's log",
  args: "PROJECT ENV [BLOCK…]",
  minArgs: 0,
  variadic: true,
  options: {
    follow: { type: "boolean", short: "f" },
    since: { type: "string" },
    until: { type: "string" },
    tail: { type: "string", short: "n" },
    grep: { type: "string" },
    release: { type: "string" },
    access: { type: "boolean" },
    json: { type: "boolean" },
    build: { type: "string" },
  },
  optionHelp: [
    "-f, --follow      keep printing new lines, across redeploys and restarts (Ctrl-C stops)",
    "--since WHEN      from a time back (10m, 2h, 3d) or an RFC 3339 time",
    "--until WHEN      up to that time (not with -f)",
    "-n, --tail N      the newest N lines (default 100 when neither --since nor --until is given)",
    "--grep REGEX      only lines matching it; (?i) in front for any case",
    "--release N       only lines of the containers of release N",
    "--access          the edge's access log of those blocks instead (needs edgeAccessLog: on)",
    "--json            one JSON object per line: time, block, replica, release, container, stream, text",
    "--build ID        a build's log instead (-f: until the build ends)",
  ],
  async run(ctx) {
    const { args, values, client } = ctx;
    if (values.build) {
      if (args.length > 0) throw new UsageError("--build ID takes no PROJECT ENV");
      const id = buildId(values.build as string);
      return buildLog(id, await client(), values, ctx.out);
    }
    if (args.length < 2) throw new UsageError("expected PROJECT ENV [BLOCK…] (or --build ID)");
    if (values.follow && values.until) throw new UsageError("--until and --follow do not go together: a followed log has no end");
    const [project, env, ...blocks] = args as [string, string, ...string[]];
    const param = { project, env };
    const query = logQuery(blocks, values);
    const api = await client();
    const routes = api.projects[":project"].environments[":env"];
    if (values.access) {
      const write = accessWriter(ctx);
      if (values.follow) return follow<AccessEntry>((q) => routes["access-log"].stream.$get({ param, query: q }), query, write, ctx.err);
      const { entries } = await unwrap(routes["access-log"].$get({ param, query }));
      return void entries.forEach(write);
    }
    const write = lineWriter(ctx, blocks.length === 1);
    if (values.follow) return follow<LogLine>((q) => routes.logs.stream.$get({ param, query: q }), query, write, ctx.err);
    const { lines } = await unwrap(routes.logs.$get({ param, query }));
    lines.forEach(write);
  },
};
