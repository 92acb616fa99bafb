/** @jsxImportSource preact */
// Who has a role on a project beyond their install role; project admins give and take grants.
import { useState } from "preact/hooks";
import { unwrap } from "../../../src/client/index.ts";
import { useSession } from "../context.ts";
import { may } from "../session.ts";
import { useData } from "../use-data.ts";
import { Action } from "./action.tsx";

const GRANTS = ["viewer", "member", "admin"] as const;
type Grant = (typeof GRANTS)[number];

export function Members({ project }: { project: string }) {
  const { client, me } = useSession();
  const at = client.projects[":project"].members;
  const members = useData(() => unwrap(at.$get({ param: { project } })), [project]);
  const [user, setUser] = useState("");
  const [role, setRole] = useState<Grant>("member");
  const canAct = may(me, "admin", project);
  return (
    <>
      <h2>Members</h2>
      {members.error && <p class="error">{members.error}</p>}
      <table aria-label="Members">
        <thead><tr><th>User</th><th>Role on {project}</th>{canAct && <th></th>}</tr></thead>
        <tbody>
          {members.data?.members.map((m) => (
            <tr key={m.user}>
              <td>{m.user}</td>
              <td>{m.role}</td>
              {canAct && (
                <td>
                  <Action label={`Take ${m.user}'s grant`} confirmLabel="Take away" danger confirm={`${m.user} keeps only their install role on ${project}.`} run={() => unwrap(at[":user"].$delete({ param: { project, user: m.user } }))} done={members.reload} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {members.data?.members.length === 0 && <p class="meta">No grants: only the install's roles apply.</p>}
      {canAct && (
        <form class="filters" aria-label="Grant a role" onSubmit={(e) => e.preventDefault()}>
          <input aria-label="Member's user name" placeholder="user" value={user} onInput={(e) => setUser(e.currentTarget.value)} />
          <select aria-label="Member's role" value={role} onChange={(e) => setRole(e.currentTarget.value as Grant)}>
            {GRANTS.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
          <Action label="Grant" disabled={!user} confirm={`Give ${user} the role ${role} on ${project}.`} run={() => unwrap(at[":user"].$put({ param: { project, user }, json: { role } }))} done={() => { setUser(""); members.reload(); }} />
        </form>
      )}
    </>
  );
}
