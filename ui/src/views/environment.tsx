/** @jsxImportSource preact */
// An environment at a glance: its live release and what would change, each block's state
// (kept live from the rollout stream of whatever is under way), its jobs, and the actions.
import { useEffect, useRef, useState } from "preact/hooks";
import { unwrap } from "../../../src/client/index.ts";
import { useSession } from "../context.ts";
import { Action } from "../components/action.tsx";
import { Badge } from "../components/badge.tsx";
import { EnvNav } from "../components/env-nav.tsx";
import { Rollout } from "../components/rollout.tsx";
import { ago } from "../format.ts";
import { href, navigate } from "../router.ts";
import { may } from "../session.ts";
import { useData } from "../use-data.ts";
import { useStream } from "../live.ts";
import { Changes } from "../components/changes.tsx";
import { JobsTable } from "../components/jobs-table.tsx";

type Started = { id: number; number: number } | null;
const UNDER_WAY = new Set(["building", "deploying"]);

export function Environment({ params }: { params: Record<string, string> }) {
  const { project, env } = params as { project: string; env: string };
  const { client, me } = useSession();
  const param = { project, env };
  const where = client.projects[":project"].environments[":env"];
  const status = useData(() => unwrap(where.status.$get({ param })), [project, env]);
  const releases = useData(() => unwrap(where.releases.$get({ param })), [project, env]);
  const diff = useData(() => unwrap(where.diff.$get({ param })), [project, env]);
  const [started, setStarted] = useState<Started>(null);
  const canAct = may(me, "member", project);
  const { headers } = useSession();

  // Releases started elsewhere (the CLI, a git push, a colleague), stops and replicas that start
  // or die: the environment's status stream says so, and the page reads what it shows again.
  useStream(`/projects/${encodeURIComponent(project)}/environments/${encodeURIComponent(env)}/status/stream`, headers, (e) => {
    if (e.event !== "status") return;
    status.reload();
    releases.reload();
  });

  // The rollout under way is followed, whoever started it (the CLI, a git push); once it ends,
  // the last one followed stays with its result.
  const running = releases.data?.releases.find((r) => UNDER_WAY.has(r.status));
  useEffect(() => {
    if (running && running.id !== started?.id) setStarted({ id: running.id, number: running.number });
  }, [running?.id]);
  const followed = running ? { id: running.id, number: running.number } : started;
  const follow = (release: { id: number; number: number }) => setStarted({ id: release.id, number: release.number });
  const refresh = () => {
    status.reload();
    releases.reload();
    diff.reload();
  };

  const s = status.data;
  // A block between states (its replicas starting, the crash watch still on) is read again
  // shortly; a settled environment is not polled.
  const settling = s?.blocks.some((b) => b.state === "deploying") ?? false;
  useEffect(() => {
    if (!settling) return;
    const timer = setTimeout(status.reload, 1500);
    return () => clearTimeout(timer);
  }, [s]);
  const live = releases.data?.releases.find((r) => r.live);
  // What would change asks git (a remote lookup per block): read again when the live release
  // changes, not at each of the many events a rollout sends.
  // undefined: releases not read yet; null: nothing live yet.
  const liveNumber = releases.data ? (live?.number ?? null) : undefined;
  const shownLive = useRef<number | null | undefined>(undefined);
  useEffect(() => {
    if (liveNumber === undefined) return;
    if (shownLive.current !== undefined && shownLive.current !== liveNumber) diff.reload();
    shownLive.current = liveNumber;
  }, [liveNumber]);
  const blocks = s?.blocks ?? [];
  return (
    <section>
      <EnvNav project={project} env={env} at="" />
      <h1>
        {project} / {env} {s?.stopped && <Badge state="stopped" />}
      </h1>
      {status.error && <p class="error" role="alert">{status.error}</p>}
      {s && (
        <p class="meta" aria-label="Live release">
          {live ? (
            <>
              Live: <a href={href("p", project, "env", env, "releases", live.number)}>release {live.number}</a> <Badge state={live.status} /> from {live.source}
              {live.actor ? ` by ${live.actor}` : ""}, {ago(live.finishedAt ?? live.createdAt)}
            </>
          ) : (
            "Not deployed yet."
          )}
        </p>
      )}
      {diff.data && <Changes diff={diff.data} />}

      {canAct && s && (
        <div class="actions" aria-label="Actions">
          <Action label="Deploy" confirm={`Build what changed and roll out a new release of ${project}/${env}.`} run={() => unwrap(where.deploys.$post({ param, query: {} }))} done={follow} />
          <button type="button" onClick={() => navigate(href("p", project, "env", env, "promote"))}>Promote…</button>
          <button type="button" onClick={() => navigate(href("p", project, "env", env, "releases"))}>Rollback…</button>
          {s.stopped ? (
            <Action label="Start" confirm={`Start ${project}/${env} again with its live release's images.`} run={() => unwrap(where.start.$post({ param }))} done={follow} />
          ) : (
            <Action label="Stop" danger confirm={`Stop ${project}/${env}: its containers are removed and its sites answer 503; volumes and releases are kept.`} run={() => unwrap(where.stop.$post({ param }))} done={refresh} />
          )}
        </div>
      )}

      {followed && <Rollout key={followed.id} id={followed.id} number={followed.number} onChange={status.reload} onEnd={refresh} />}

      <h2>Blocks</h2>
      <table aria-label="Blocks">
        <thead>
          <tr><th>Block</th><th>Kind</th><th>State</th><th>Ready</th><th>Release</th><th>URL</th>{canAct && <th></th>}</tr>
        </thead>
        <tbody>
          {blocks.map((b) => (
            <tr key={b.name}>
              <td><a href={`${href("p", project, "env", env, "metrics")}?block=${encodeURIComponent(b.name)}`}>{b.name}</a></td>
              <td>{b.kind}</td>
              <td><Badge state={b.state} />{b.restarts > 0 && <span class="meta"> {b.restarts} restarts</span>}</td>
              <td>
                {b.ready}/{b.wanted}
                {/* During a rollout the old replicas keep serving until the new ones are healthy. */}
                {followed && b.release !== null && b.release !== followed.number && b.ready > 0 && <span class="meta"> release {b.release} serving</span>}
              </td>
              <td>{b.release ?? "—"}</td>
              <td>{b.url ? <a href={b.url} target="_blank" rel="noopener noreferrer">{b.url}</a> : "—"}</td>
              {canAct && (
                <td>
                  <Action label="Restart" confirm={`Restart ${b.name} in ${project}/${env}, one replica at a time, with the live release's image.`} run={() => unwrap(where.restart.$post({ param, json: { blocks: [b.name] } }))} done={follow} disabled={!live} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {s && blocks.length === 0 && <p class="meta">No blocks with replicas in this environment.</p>}

      <JobsTable project={project} env={env} canAct={canAct} />
    </section>
  );
}
