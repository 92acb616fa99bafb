/** @jsxImportSource preact */
// A block's variables in an environment. Secret values never come back from the API: a
// secret can only be replaced or removed.
import { useState } from "preact/hooks";
import { unwrap } from "../../../src/client/index.ts";
import { useSession } from "../context.ts";
import { Action } from "../components/action.tsx";
import { EnvNav } from "../components/env-nav.tsx";
import { setQuery, type Place } from "../router.ts";
import { may } from "../session.ts";
import { useData } from "../use-data.ts";

export function Variables({ params, query }: { params: Record<string, string>; query: Place["query"] }) {
  const { project, env } = params as { project: string; env: string };
  const { client, me } = useSession();
  const blocks = useData(() => unwrap(client.projects[":project"].blocks.$get({ param: { project } })), [project]);
  const block = query.get("block") ?? blocks.data?.blocks[0]?.name ?? "";
  const at = client.projects[":project"].environments[":env"].blocks[":block"].vars;
  const param = { project, env, block };
  const vars = useData(async () => (block ? (await unwrap(at.$get({ param }))).vars : []), [project, env, block]);
  const [name, setName] = useState("");
  const [value, setValue] = useState("");
  const [secret, setSecret] = useState(false);
  const canAct = may(me, "member", project);
  const set = (n: string, v: string, s: boolean) => unwrap(at.$put({ param, json: { vars: { [n]: v }, secret: s } }));
  return (
    <section>
      <EnvNav project={project} env={env} at="variables" />
      <h1>Variables of {project} / {env}</h1>
      <select aria-label="Block" value={block} onChange={(e) => setQuery({ block: e.currentTarget.value })}>
        {blocks.data?.blocks.map((b) => <option key={b.name} value={b.name}>{b.name}</option>)}
      </select>
      <p class="meta">A change takes effect with the next deploy.</p>
      {vars.error && <p class="error" role="alert">{vars.error}</p>}
      <table aria-label="Variables">
        <thead><tr><th>Name</th><th>Value</th><th>Source</th>{canAct && <th></th>}</tr></thead>
        <tbody>
          {vars.data?.map((v) => (
            <tr key={v.name}>
              <td><code>{v.name}</code></td>
              <td>{v.secret ? <span class="meta">secret, hidden</span> : <code>{v.value}</code>}</td>
              <td>{v.source}</td>
              {canAct && (
                <td class="row-actions">
                  {v.source === "set" && <Replace name={v.name} secret={v.secret} set={set} done={vars.reload} />}
                  {v.source === "set" && <Action label={`Remove ${v.name}`} confirmLabel="Remove" danger confirm={`Remove ${v.name} from ${block} in ${project}/${env}.`} run={() => unwrap(at.unset.$post({ param, json: { names: [v.name] } }))} done={vars.reload} />}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {vars.data?.length === 0 && <p class="meta">No variables.</p>}
      {canAct && block && (
        <form class="filters" aria-label="Add a variable" onSubmit={(e) => e.preventDefault()}>
          <input aria-label="Name" placeholder="NAME" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <input aria-label="Value" type={secret ? "password" : "text"} placeholder="value" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
          <label class="check"><input type="checkbox" checked={secret} onChange={(e) => setSecret(e.currentTarget.checked)} /> Secret</label>
          <Action label="Set variable" disabled={!name} confirm={`Set ${name} on ${block} in ${project}/${env}${secret ? " as a secret (never shown again)" : ""}.`} run={() => set(name, value, secret)} done={() => { setName(""); setValue(""); vars.reload(); }} />
        </form>
      )}
    </section>
  );
}

function Replace({ name, secret, set, done }: { name: string; secret: boolean; set: (n: string, v: string, s: boolean) => Promise<unknown>; done: () => void }) {
  const [value, setValue] = useState("");
  return (
    <Action label={`Replace ${name}`} confirmLabel="Replace" confirm={`A new value for ${name}${secret ? " (it stays secret)" : ""}.`} run={() => set(name, value, secret)} done={done}>
      <input aria-label={`New value of ${name}`} type={secret ? "password" : "text"} value={value} onInput={(e) => setValue(e.currentTarget.value)} />
    </Action>
  );
}
