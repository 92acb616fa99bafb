/** @jsxImportSource preact */
// A project: its environments (with what each runs) and its recent builds.
import { unwrap } from "../../../src/client/index.ts";
import { useSession } from "../context.ts";
import { Badge } from "../components/badge.tsx";
import { Members } from "../components/members.tsx";
import { ago } from "../format.ts";
import { href } from "../router.ts";
import { useData } from "../use-data.ts";

export function Project({ params }: { params: Record<string, string> }) {
  const { project } = params as { project: string };
  const { client } = useSession();
  const environments = useData(() => unwrap(client.projects[":project"].environments.$get({ param: { project } })), [project]);
  const builds = useData(() => unwrap(client.projects[":project"].builds.$get({ param: { project } })), [project]);
  return (
    <section>
      <nav class="crumbs" aria-label="Breadcrumbs"><a href="/">Projects</a> / <span>{project}</span></nav>
      <h1>{project}</h1>
      {environments.error && <p class="error" role="alert">{environments.error}</p>}
      <table aria-label="Environments">
        <thead><tr><th>Environment</th><th>Git ref</th><th>Auto deploy</th><th>State</th></tr></thead>
        <tbody>
          {environments.data?.environments.map((e) => (
            <tr key={e.name}>
              <td><a href={href("p", project, "env", e.name)}>{e.name}</a></td>
              <td>{e.ref ?? "—"}</td>
              <td>{e.autoDeploy ? "yes" : "no"}</td>
              <td>{e.stopped ? <Badge state="stopped" /> : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Recent builds</h2>
      <table aria-label="Builds">
        <thead><tr><th>Build</th><th>Block</th><th>Status</th><th>Commit</th><th>When</th><th>Reason</th></tr></thead>
        <tbody>
          {builds.data?.builds.slice(0, 20).map((b) => (
            <tr key={b.id}>
              <td><a href={href("p", project, "builds", b.id)}>#{b.id}</a></td>
              <td>{b.block}</td>
              <td><Badge state={b.status} /></td>
              <td><code>{b.commit?.slice(0, 10) ?? "—"}</code></td>
              <td>{ago(b.createdAt)}</td>
              <td>{b.reason ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {builds.data && builds.data.builds.length === 0 && <p class="meta">No builds yet.</p>}
      <Members project={project} />
    </section>
  );
}
