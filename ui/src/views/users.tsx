/** @jsxImportSource preact */
// Users of the install: their role, grants and whether they set a password. Adding one makes
// an invitation link, shown once, for the person to set their password.
import { useState } from "preact/hooks";
import { unwrap } from "../../../src/client/index.ts";
import { useSession } from "../context.ts";
import { Action } from "../components/action.tsx";
import { ago } from "../format.ts";
import { may } from "../session.ts";
import { useData } from "../use-data.ts";

const ROLES = ["none", "viewer", "member", "admin", "owner"] as const;
type GlobalRole = (typeof ROLES)[number];

export function Users() {
  const { client, me } = useSession();
  const users = useData(() => unwrap(client.users.$get()), []);
  const [name, setName] = useState("");
  const [role, setRole] = useState<GlobalRole>("member");
  const [link, setLink] = useState<{ user: string; url: string; expiresAt: string } | null>(null);
  const canAct = may(me, "admin");
  const showLink = (user: string) => (answer: { url: string; expiresAt: string } | { invitation?: { url: string; expiresAt: string } | null }) => {
    const invitation = "url" in answer ? answer : answer.invitation;
    if (invitation) setLink({ user, ...invitation });
    users.reload();
  };
  return (
    <section>
      <h1>Users</h1>
      {users.error && <p class="error" role="alert">{users.error}</p>}
      {link && (
        <p class="secret" role="status">
          Invitation for {link.user}, works once until {link.expiresAt.slice(0, 16).replace("T", " ")} UTC: <code>{link.url}</code>
        </p>
      )}
      <table aria-label="Users">
        <thead><tr><th>User</th><th>Role</th><th>Project grants</th><th>Password</th><th>Added</th>{canAct && <th></th>}</tr></thead>
        <tbody>
          {users.data?.users.map((u) => (
            <tr key={u.name}>
              <td>{u.name}</td>
              <td>{u.role}</td>
              <td>{u.grants.map((g) => `${g.project} (${g.role})`).join(", ") || "—"}</td>
              <td>{u.hasPassword ? "set" : "not yet"}</td>
              <td>{ago(u.createdAt)}</td>
              {canAct && (
                <td class="row-actions">
                  <RoleChange name={u.name} role={u.role as GlobalRole} done={users.reload} />
                  <Action label={`New invitation for ${u.name}`} confirmLabel="Make link" confirm={`A new invitation link for ${u.name}; the previous one stops working.`} run={() => unwrap(client.users[":name"].invitation.$post({ param: { name: u.name } }))} done={showLink(u.name)} />
                  <Action label={`Remove ${u.name}`} confirmLabel="Remove" danger confirm={`Remove ${u.name} with their tokens, sessions, SSH keys and grants.`} run={() => unwrap(client.users[":name"].$delete({ param: { name: u.name } }))} done={users.reload} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {canAct && (
        <form class="filters" aria-label="Add a user" onSubmit={(e) => e.preventDefault()}>
          <input aria-label="New user's name" placeholder="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <select aria-label="New user's role" value={role} onChange={(e) => setRole(e.currentTarget.value as GlobalRole)}>
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
          <Action label="Add user" disabled={!name} confirm={`Add ${name} with the role ${role} on the install; an invitation link is shown once.`} run={() => unwrap(client.users.$post({ json: { name, role } }))} done={(added) => { setName(""); showLink(name)(added); }} />
        </form>
      )}
    </section>
  );
}

function RoleChange({ name, role, done }: { name: string; role: GlobalRole; done: () => void }) {
  const { client } = useSession();
  const [next, setNext] = useState<GlobalRole>(role);
  return (
    <Action label={`Role of ${name}`} confirmLabel="Change role" confirm={`${name}'s role on the install.`} run={() => unwrap(client.users[":name"].role.$put({ param: { name }, json: { role: next } }))} done={done}>
      <select aria-label={`New role of ${name}`} value={next} onChange={(e) => setNext(e.currentTarget.value as GlobalRole)}>
        {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
      </select>
    </Action>
  );
}
