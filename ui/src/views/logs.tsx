/** @jsxImportSource preact */
// Block logs of an environment: filter by block, search, time range, and follow live.
import { useState } from "preact/hooks";
import { unwrap } from "../../../src/client/index.ts";
import { useSession } from "../context.ts";
import { EnvNav } from "../components/env-nav.tsx";
import { LogView } from "../components/log-view.tsx";
import { useStream } from "../live.ts";
import { setQuery, type Place } from "../router.ts";
import { useData } from "../use-data.ts";

interface Line {
  time: string;
  block: string;
  replica: number;
  stream: string;
  text: string;
}
const TAIL = 500;
const RANGES = [["", "Newest lines"], ["15m", "Last 15 minutes"], ["1h", "Last hour"], ["24h", "Last 24 hours"], ["7d", "Last 7 days"]] as const;
const show = (l: Line) => `${l.time.slice(0, 19).replace("T", " ")} ${l.block}/${l.replica} ${l.text}`;

export function Logs({ params, query }: { params: Record<string, string>; query: Place["query"] }) {
  const { project, env } = params as { project: string; env: string };
  const { client, headers } = useSession();
  const blocks = useData(() => unwrap(client.projects[":project"].blocks.$get({ param: { project } })), [project]);
  const want = {
    blocks: query.get("block") ?? undefined,
    grep: query.get("q") ?? undefined,
    since: query.get("since") ?? undefined,
    until: query.get("until") ?? undefined,
  };
  const following = query.get("follow") === "1";
  const [typed, setTyped] = useState(want.grep ?? "");
  const key = JSON.stringify(want);
  const stored = useData(
    async () => (following ? [] : (await unwrap(client.projects[":project"].environments[":env"].logs.$get({ param: { project, env }, query: { ...clean(want), tail: String(TAIL) } }))).lines as Line[]),
    [project, env, key, following],
  );
  const [live, setLive] = useState<{ key: string; lines: Line[] }>({ key: "", lines: [] });
  const streamKey = `${key}${following}`;
  const search = new URLSearchParams({ ...clean(want), tail: String(TAIL) }).toString();
  useStream(following ? `/projects/${encodeURIComponent(project)}/environments/${encodeURIComponent(env)}/logs/stream?${search}` : null, headers, (e) => {
    if (e.event !== "log") return;
    const line = JSON.parse(e.data) as Line;
    setLive((s) => ({ key: streamKey, lines: [...(s.key === streamKey ? s.lines : []), line].slice(-5000) }));
  });
  const lines = following ? (live.key === streamKey ? live.lines : []) : stored.data ?? [];

  return (
    <section>
      <EnvNav project={project} env={env} at="logs" />
      <h1>Logs of {project} / {env}</h1>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); setQuery({ q: typed }); }}>
        <input type="search" aria-label="Search logs" placeholder="Search (press /)" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
        <select aria-label="Block" value={want.blocks ?? ""} onChange={(e) => setQuery({ block: e.currentTarget.value })}>
          <option value="">All blocks</option>
          {blocks.data?.blocks.map((b) => <option key={b.name} value={b.name}>{b.name}</option>)}
        </select>
        <select aria-label="Time range" value={want.since ?? ""} onChange={(e) => setQuery({ since: e.currentTarget.value })}>
          {RANGES.map(([v, label]) => <option key={v} value={v}>{label}</option>)}
        </select>
        <input aria-label="Until" placeholder="until (ISO time or 10m)" value={want.until ?? ""} onChange={(e) => setQuery({ until: e.currentTarget.value })} />
        <button type="submit">Search</button>
        <label class="check"><input type="checkbox" checked={following} onChange={(e) => setQuery({ follow: e.currentTarget.checked ? "1" : undefined })} /> Follow</label>
      </form>
      {stored.error && <p class="error" role="alert">{stored.error}</p>}
      <LogView lines={lines.map(show)} label="Block logs" empty={following ? "Waiting for lines…" : "No lines match."} />
    </section>
  );
}

function clean(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v)) as Record<string, string>;
}
