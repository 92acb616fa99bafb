/** @jsxImportSource preact */
import { unwrap } from "../../../src/client/index.ts";
import { useSession } from "../context.ts";
import { ago } from "../format.ts";
import { href, setQuery, type Place } from "../router.ts";
import { useData } from "../use-data.ts";

export function Projects({ query }: { query: Place["query"] }) {
  const { client } = useSession();
  const { data, error } = useData(() => unwrap(client.projects.$get()), []);
  const filter = (query.get("q") ?? "").toLowerCase();
  const shown = (data?.projects ?? []).filter((p) => p.name.toLowerCase().includes(filter));
  return (
    <section>
      <h1>Projects</h1>
      <input type="search" aria-label="Search projects" placeholder="Search (press /)" value={query.get("q") ?? ""} onInput={(e) => setQuery({ q: e.currentTarget.value })} />
      {error && <p class="error" role="alert">{error}</p>}
      <table>
        <thead>
          <tr><th>Project</th><th>Blocks</th><th>Environments</th><th>Updated</th></tr>
        </thead>
        <tbody>
          {shown.map((p) => (
            <tr key={p.name}>
              <td><a href={href("p", p.name)}>{p.name}</a></td>
              <td>{p.blocks}</td>
              <td>{p.environments.map((e, i) => <>{i > 0 && ", "}<a href={href("p", p.name, "env", e)}>{e}</a></>)}</td>
              <td>{ago(p.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data && shown.length === 0 && <p class="meta">{filter ? "No project matches." : "No projects yet: berth apply -f berth.yaml creates one."}</p>}
    </section>
  );
}
