/** @jsxImportSource preact */
import { unwrap } from "../../../src/client/index.ts";
import { useSession } from "../context.ts";
import { Badge } from "../components/badge.tsx";
import { when } from "../format.ts";
import { useData } from "../use-data.ts";

export function Certs() {
  const { client } = useSession();
  const certs = useData(() => unwrap(client.certs.$get()), []);
  return (
    <section>
      <h1>Certificates</h1>
      {certs.error && <p class="error" role="alert">{certs.error}</p>}
      <table aria-label="Certificates">
        <thead><tr><th>Host</th><th>Source</th><th>Issuer</th><th>Not after</th><th>Next attempt</th><th>Status</th></tr></thead>
        <tbody>
          {certs.data?.certificates.map((c) => (
            <tr key={c.host}>
              <td>{c.host}</td>
              <td>{c.source}</td>
              <td>{c.issuer ?? "—"}</td>
              <td>{when(c.notAfter)}</td>
              <td>{when(c.nextAttemptAt)}</td>
              <td><Badge state={c.status} />{c.reason ? <span class="meta"> {c.reason}</span> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {certs.data?.certificates.length === 0 && <p class="meta">No certificates: sites are served over HTTP until a domain gets one.</p>}
    </section>
  );
}
