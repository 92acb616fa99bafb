/** @jsxImportSource preact */
// Promote: pick the environment whose live images come here, read the diff (a dry run), then
// promote; the rollout log follows.
import { useState } from "preact/hooks";
import { unwrap } from "../../../src/client/index.ts";
import { useSession } from "../context.ts";
import { Action } from "../components/action.tsx";
import { Changes } from "../components/changes.tsx";
import { EnvNav } from "../components/env-nav.tsx";
import { Rollout } from "../components/rollout.tsx";
import { setQuery, type Place } from "../router.ts";
import { may } from "../session.ts";
import { useData } from "../use-data.ts";

export function Promote({ params, query }: { params: Record<string, string>; query: Place["query"] }) {
  const { project, env } = params as { project: string; env: string };
  const { client, me } = useSession();
  const param = { project, env };
  const where = client.projects[":project"].environments[":env"];
  const environments = useData(() => unwrap(client.projects[":project"].environments.$get({ param: { project } })), [project]);
  const others = (environments.data?.environments ?? []).map((e) => e.name).filter((n) => n !== env);
  const from = query.get("from") ?? others[0] ?? "";
  const diff = useData(async () => (from ? (await unwrap(where.promote.$post({ param, json: { from, dryRun: true } }))).diff : null), [project, env, from]);
  const [started, setStarted] = useState<{ id: number; number: number } | null>(null);
  return (
    <section>
      <EnvNav project={project} env={env} at="" />
      <h1>Promote into {project} / {env}</h1>
      <label>
        From{" "}
        <select value={from} onChange={(e) => setQuery({ from: e.currentTarget.value })}>
          {others.map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
      </label>
      {diff.error && <p class="error" role="alert">{diff.error}</p>}
      {diff.data && <Changes diff={diff.data} title={`What promoting ${from} changes in ${env}`} />}
      {may(me, "member", project) && diff.data && (
        <div class="actions">
          <Action
            label={`Promote ${from} → ${env}`}
            confirmLabel="Promote"
            confirm={`Deploy the live images of ${project}/${from} into ${env}, with ${env}'s own variables and settings. No rebuild.`}
            disabled={!diff.data.changes}
            run={async () => {
              const result = await unwrap(where.promote.$post({ param, json: { from, dryRun: false } }));
              if (!result.release) throw new Error(`nothing to promote: ${env} already runs what ${from} runs`);
              return result.release;
            }}
            done={setStarted}
          />
        </div>
      )}
      {started && <Rollout key={started.id} id={started.id} number={started.number} onEnd={diff.reload} />}
    </section>
  );
}
