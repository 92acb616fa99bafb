/** @jsxImportSource preact */
// API tokens: one's own (an install admin sees everyone's). A new token's value is shown once.
import { useState } from "preact/hooks";
import { unwrap } from "../../../src/client/index.ts";
import { useSession } from "../context.ts";
import { Action } from "../components/action.tsx";
import { ago, when } from "../format.ts";
import { useData } from "../use-data.ts";

const ROLES = ["viewer", "member", "admin", "owner"] as const;

export function Tokens() {
  const { client, me } = useSession();
  // Signed in with a password (a session cookie): a token outlives the session, so the server asks for the password again.
  const confirm = me.via === "session";
  const tokens = useData(() => unwrap(client.tokens.$get()), []);
  const [name, setName] = useState("");
  const [role, setRole] = useState<(typeof ROLES)[number]>("viewer");
  const [project, setProject] = useState("");
  const [expires, setExpires] = useState("30d");
  const [made, setMade] = useState<string | null>(null);
  const [password, setPassword] = useState("");
  return (
    <section>
      <h1>API tokens</h1>
      <p class="meta">A token only narrows its user's rights: a lower role, one project, an end.</p>
      {tokens.error && <p class="error" role="alert">{tokens.error}</p>}
      {made && <p class="secret" role="status">The new token, shown this once: <code>{made}</code></p>}
      <table aria-label="Tokens">
        <thead><tr><th>Id</th><th>Name</th><th>User</th><th>Role</th><th>Project</th><th>Expires</th><th>Last used</th><th></th></tr></thead>
        <tbody>
          {tokens.data?.tokens.map((t) => (
            <tr key={t.id}>
              <td><code>{t.id}</code></td>
              <td>{t.name}</td>
              <td>{t.user}</td>
              <td>{t.role}</td>
              <td>{t.project ?? "all"}</td>
              <td>{when(t.expiresAt)}</td>
              <td>{ago(t.lastUsedAt)}</td>
              <td><Action label={`Revoke ${t.id}`} confirmLabel="Revoke" danger confirm={`Revoke ${t.name} (${t.id}): whatever uses it stops working at once.`} run={() => unwrap(client.tokens[":id"].$delete({ param: { id: t.id } }))} done={tokens.reload} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="filters" aria-label="Create a token" onSubmit={(e) => e.preventDefault()}>
        <input aria-label="Token name" placeholder="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <select aria-label="Token role" value={role} onChange={(e) => setRole(e.currentTarget.value as (typeof ROLES)[number])}>
          {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
        </select>
        <input aria-label="Token project" placeholder="project (optional)" value={project} onInput={(e) => setProject(e.currentTarget.value)} />
        <input aria-label="Token expires in" placeholder="30d" value={expires} onInput={(e) => setExpires(e.currentTarget.value)} />
        {confirm && <input aria-label="Your password" type="password" autocomplete="current-password" placeholder="your password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />}
        <Action
          label="Create token"
          disabled={!name || (confirm && !password)}
          confirm={`Create ${name}: ${role}${project ? ` on ${project}` : ""}${expires ? `, for ${expires}` : ", with no end"}. Its value is shown once.`}
          run={() => unwrap(client.tokens.$post({ json: { name, role, ...(project ? { project } : {}), ...(expires ? { expiresIn: expires } : {}), ...(confirm ? { currentPassword: password } : {}) } }))}
          done={(created: { token: string }) => { setMade(created.token); setName(""); setPassword(""); tokens.reload(); }}
        />
      </form>
    </section>
  );
}
