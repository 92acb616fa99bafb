/** @jsxImportSource preact */
// Who may reach the environment's blocks: gateway clients (a secret shown once), website
// passwords, and the domains with their certificates.
import { useState } from "preact/hooks";
import { unwrap } from "../../../src/client/index.ts";
import { useSession } from "../context.ts";
import { Action } from "../components/action.tsx";
import { Badge } from "../components/badge.tsx";
import { EnvNav } from "../components/env-nav.tsx";
import { ago, when } from "../format.ts";
import { may } from "../session.ts";
import { useData } from "../use-data.ts";

export function Access({ params }: { params: Record<string, string> }) {
  const { project, env } = params as { project: string; env: string };
  const { client, me } = useSession();
  const param = { project, env };
  const where = client.projects[":project"].environments[":env"];
  const clients = useData(() => unwrap(where.gateway.clients.$get({ param })), [project, env]);
  const status = useData(() => unwrap(where.status.$get({ param })), [project, env]);
  const certs = useData(() => unwrap(client.certs.$get()), []);
  const [name, setName] = useState("");
  const [secret, setSecret] = useState<{ clientId: string; clientSecret: string } | null>(null);
  const canAct = may(me, "member", project);
  const websites = (status.data?.blocks ?? []).filter((b) => b.kind === "website");
  const hosts = (status.data?.blocks ?? []).flatMap((b) => (b.url ? [{ block: b.name, host: new URL(b.url).hostname, url: b.url }] : []));
  return (
    <section>
      <EnvNav project={project} env={env} at="access" />
      <h1>Access to {project} / {env}</h1>

      <h2>Domains</h2>
      <table aria-label="Domains">
        <thead><tr><th>Block</th><th>Address</th><th>Certificate</th><th>Not after</th></tr></thead>
        <tbody>
          {hosts.map((h) => {
            const cert = certs.data?.certificates.find((c) => c.host === h.host);
            return (
              <tr key={h.url}>
                <td>{h.block}</td>
                <td><a href={h.url} target="_blank" rel="noopener noreferrer">{h.url}</a></td>
                <td>{cert ? <Badge state={cert.status} /> : <span class="meta">none (HTTP)</span>}</td>
                <td>{cert ? when(cert.notAfter) : "—"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>

      <h2>Gateway clients</h2>
      {secret && (
        <p class="secret" role="status">
          Secret of {secret.clientId}, shown this once: <code>{secret.clientSecret}</code>
        </p>
      )}
      <table aria-label="Gateway clients">
        <thead><tr><th>Client id</th><th>Name</th><th>Created</th>{canAct && <th></th>}</tr></thead>
        <tbody>
          {clients.data?.clients.map((c) => (
            <tr key={c.clientId}>
              <td><code>{c.clientId}</code></td>
              <td>{c.name}</td>
              <td>{ago(c.createdAt)}</td>
              {canAct && (
                <td>
                  <Action label={`Revoke ${c.clientId}`} confirmLabel="Revoke" danger confirm={`Revoke ${c.name} (${c.clientId}): tokens it holds stop working when they expire.`} run={() => unwrap(where.gateway.clients[":clientId"].$delete({ param: { ...param, clientId: c.clientId } }))} done={clients.reload} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {canAct && (
        <form class="filters" onSubmit={(e) => e.preventDefault()}>
          <input aria-label="Client name" placeholder="client name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <Action label="Create client" confirm={`Create a gateway client of ${project}/${env}; its secret is shown once.`} run={() => unwrap(where.gateway.clients.$post({ param, json: { name: name || "client" } }))} done={(c) => { setSecret(c); setName(""); clients.reload(); }} />
        </form>
      )}

      {websites.map((w) => <Passwords key={w.name} project={project} env={env} block={w.name} canAct={canAct} />)}
    </section>
  );
}

function Passwords({ project, env, block, canAct }: { project: string; env: string; block: string; canAct: boolean }) {
  const { client } = useSession();
  const param = { project, env, block };
  const at = client.projects[":project"].environments[":env"].blocks[":block"].passwords;
  const users = useData(() => unwrap(at.$get({ param })), [project, env, block]);
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const list = (users.data?.users ?? []) as (string | { username: string })[];
  const nameOf = (u: string | { username: string }) => (typeof u === "string" ? u : u.username);
  return (
    <>
      <h2>Website passwords of {block}</h2>
      <ul aria-label={`Users of ${block}`}>
        {list.map((u) => (
          <li key={nameOf(u)}>
            {nameOf(u)}{" "}
            {canAct && <Action label={`Remove ${nameOf(u)}`} confirmLabel="Remove" danger confirm={`${nameOf(u)} can no longer sign in to ${block}.`} run={() => unwrap(at[":username"].$delete({ param: { ...param, username: nameOf(u) } }))} done={users.reload} />}
          </li>
        ))}
        {list.length === 0 && <li class="meta">Open to everyone (no password set).</li>}
      </ul>
      {canAct && (
        <form class="filters" onSubmit={(e) => e.preventDefault()}>
          <input aria-label="User" placeholder="user" value={user} onInput={(e) => setUser(e.currentTarget.value)} />
          <input aria-label="Password" type="password" placeholder="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          <Action label="Set password" disabled={!user || !password} confirm={`Set ${user}'s password for ${block}; the site then asks every visitor to sign in.`} run={() => unwrap(at[":username"].$put({ param: { ...param, username: user }, json: { password } }))} done={() => { setUser(""); setPassword(""); users.reload(); }} />
        </form>
      )}
    </>
  );
}
