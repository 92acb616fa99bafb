/** @jsxImportSource preact */
// An environment's releases, newest first; rolling back to one makes a new release of its images.
import { useState } from "preact/hooks";
import { unwrap } from "../../../src/client/index.ts";
import { useSession } from "../context.ts";
import { Action } from "../components/action.tsx";
import { Badge } from "../components/badge.tsx";
import { EnvNav } from "../components/env-nav.tsx";
import { Rollout } from "../components/rollout.tsx";
import { ago } from "../format.ts";
import { href } from "../router.ts";
import { may } from "../session.ts";
import { useData } from "../use-data.ts";

export function Releases({ params }: { params: Record<string, string> }) {
  const { project, env } = params as { project: string; env: string };
  const { client, me } = useSession();
  const param = { project, env };
  const where = client.projects[":project"].environments[":env"];
  const releases = useData(() => unwrap(where.releases.$get({ param })), [project, env]);
  const [started, setStarted] = useState<{ id: number; number: number } | null>(null);
  const canAct = may(me, "member", project);
  return (
    <section>
      <EnvNav project={project} env={env} at="releases" />
      <h1>Releases of {project} / {env}</h1>
      {releases.error && <p class="error" role="alert">{releases.error}</p>}
      {started && <Rollout key={started.id} id={started.id} number={started.number} onEnd={releases.reload} />}
      <table aria-label="Releases">
        <thead>
          <tr><th>Release</th><th>Status</th><th>Source</th><th>By</th><th>Created</th><th>Blocks</th>{canAct && <th></th>}</tr>
        </thead>
        <tbody>
          {releases.data?.releases.map((r) => (
            <tr key={r.id}>
              <td><a href={href("p", project, "env", env, "releases", r.number)}>#{r.number}</a>{r.live && <> <Badge state="live" /></>}</td>
              <td><Badge state={r.status} /></td>
              <td>{r.source}</td>
              <td>{r.actor ?? "—"}</td>
              <td>{ago(r.createdAt)}</td>
              <td>{r.blocks.map((b) => b.name).join(", ")}</td>
              {canAct && (
                <td>
                  {!r.live && r.status === "deployed" && (
                    <Action
                      label={`Roll back to #${r.number}`}
                      confirmLabel="Roll back"
                      danger
                      confirm={`Roll ${project}/${env} back to the images of release ${r.number}: a new release replaces the live one${releases.data?.live ? ` (#${releases.data.live})` : ""}; today's variables are kept.`}
                      run={() => unwrap(where.rollback.$post({ param, json: { to: r.number } }))}
                      done={(release: { id: number; number: number }) => {
                        setStarted(release);
                        releases.reload();
                      }}
                    />
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {releases.data && releases.data.releases.length === 0 && <p class="meta">No releases yet.</p>}
    </section>
  );
}
