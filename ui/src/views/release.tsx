/** @jsxImportSource preact */
// One release: its blocks' images and commits, and its rollout log (live while under way).
import { unwrap } from "../../../src/client/index.ts";
import { useSession } from "../context.ts";
import { Badge } from "../components/badge.tsx";
import { EnvNav } from "../components/env-nav.tsx";
import { LogView } from "../components/log-view.tsx";
import { Rollout } from "../components/rollout.tsx";
import { duration, short, when } from "../format.ts";
import { useData } from "../use-data.ts";

export function Release({ params }: { params: Record<string, string> }) {
  const { project, env } = params as { project: string; env: string };
  const number = Number(params.number);
  const { client } = useSession();
  const release = useData(() => unwrap(client.projects[":project"].environments[":env"].releases[":number"].$get({ param: { project, env, number: String(number) } })), [project, env, number]);
  const r = release.data;
  const done = r && r.status !== "building" && r.status !== "deploying";
  const log = useData(async () => (done ? (await unwrap(client.releases[":id"].log.$get({ param: { id: String(r.id) } }))).lines : []), [r?.id, done]);
  return (
    <section>
      <EnvNav project={project} env={env} at="releases" />
      <h1>Release {number} {r && <Badge state={r.status} />}</h1>
      {release.error && <p class="error" role="alert">{release.error}</p>}
      {r && (
        <>
          <p class="meta">
            From {r.source}{r.actor ? ` by ${r.actor}` : ""}, created {when(r.createdAt)}, took {duration(r.createdAt, r.finishedAt)}
          </p>
          {r.reason && <p class="error">{r.reason}</p>}
          <table aria-label="Release blocks">
            <thead><tr><th>Block</th><th>Image</th><th>Image id</th><th>Commit</th></tr></thead>
            <tbody>
              {r.blocks.map((b) => (
                <tr key={b.name}><td>{b.name}</td><td>{b.image}</td><td><code>{short(b.imageId)}</code></td><td><code>{short(b.commit, 10)}</code></td></tr>
              ))}
            </tbody>
          </table>
          {done ? <><h2>Rollout log</h2><LogView lines={log.data ?? []} label={`Rollout log of release ${number}`} /></> : <Rollout id={r.id} number={r.number} onEnd={release.reload} />}
        </>
      )}
    </section>
  );
}
