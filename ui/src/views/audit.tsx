/** @jsxImportSource preact */
// The audit log: every change made through the API, who made it and how it went.
import { unwrap } from "../../../src/client/index.ts";
import { useSession } from "../context.ts";
import { when } from "../format.ts";
import { setQuery, type Place } from "../router.ts";
import { useData } from "../use-data.ts";

export function Audit({ query }: { query: Place["query"] }) {
  const { client } = useSession();
  const project = query.get("project") ?? "";
  const since = query.get("since") ?? "24h";
  const entries = useData(() => unwrap(client.audit.$get({ query: { ...(project ? { project } : {}), since, limit: "500" } })), [project, since]);
  return (
    <section>
      <h1>Audit log</h1>
      <div class="filters">
        <input aria-label="Project" placeholder="project" value={project} onChange={(e) => setQuery({ project: e.currentTarget.value })} />
        <select aria-label="Since" value={since} onChange={(e) => setQuery({ since: e.currentTarget.value })}>
          {["1h", "24h", "7d", "30d"].map((s) => <option key={s} value={s}>last {s}</option>)}
        </select>
      </div>
      {entries.error && <p class="error" role="alert">{entries.error}</p>}
      <table aria-label="Audit log">
        <thead><tr><th>When</th><th>User</th><th>Via</th><th>Action</th><th>Project</th><th>Detail</th><th>Outcome</th></tr></thead>
        <tbody>
          {(entries.data ?? []).map((e, i) => (
            <tr key={i}>
              <td>{when(e.at)}</td>
              <td>{e.user ?? "—"}</td>
              <td>{e.via}</td>
              <td>{e.action}</td>
              <td>{[e.project, e.environment].filter(Boolean).join("/") || "—"}</td>
              <td>{e.detail ?? ""}</td>
              <td class={e.outcome === "ok" ? "" : "error"}>{e.outcome} ({e.status})</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
