/** @jsxImportSource preact */
// The OpenAPI document as a searchable table: method, path, summary and parameters per route.
import { useSession } from "../context.ts";
import { setQuery, type Place } from "../router.ts";
import { useData } from "../use-data.ts";

interface Operation {
  summary?: string;
  tags?: string[];
  parameters?: { name: string; in: string }[];
}
interface Document {
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
}

export function ApiDocs({ query }: { query: Place["query"] }) {
  const { headers } = useSession();
  const doc = useData(async () => {
    const response = await fetch("/api/openapi.json", { headers });
    if (!response.ok) throw new Error(`the API document did not load (HTTP ${response.status})`);
    return (await response.json()) as Document;
  }, []);
  const filter = (query.get("q") ?? "").toLowerCase();
  const routes = Object.entries(doc.data?.paths ?? {}).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));
  const shown = routes.filter((r) => `${r.method} ${r.path} ${r.op.summary ?? ""}`.toLowerCase().includes(filter));
  return (
    <section>
      <h1>API reference</h1>
      {doc.data && <p class="meta">{doc.data.info.title} {doc.data.info.version}: {routes.length} routes. Every route needs a signed-in user or <code>Authorization: Bearer &lt;token&gt;</code>. The machine-readable document: <a href="/api/openapi.json" target="_blank">/api/openapi.json</a>.</p>}
      <input type="search" aria-label="Search routes" placeholder="Search (press /)" value={query.get("q") ?? ""} onInput={(e) => setQuery({ q: e.currentTarget.value })} />
      {doc.error && <p class="error" role="alert">{doc.error}</p>}
      <table aria-label="Routes">
        <thead><tr><th>Method</th><th>Path</th><th>What it does</th><th>Parameters</th></tr></thead>
        <tbody>
          {shown.map((r) => (
            <tr key={`${r.method} ${r.path}`}>
              <td><code>{r.method}</code></td>
              <td><code>{r.path}</code></td>
              <td>{r.op.summary ?? ""}</td>
              <td>{(r.op.parameters ?? []).map((p) => `${p.name} (${p.in})`).join(", ") || "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
