/** @jsxImportSource preact */
import { unwrap } from "../../../src/client/index.ts";
import { useSession } from "../context.ts";
import { Action } from "../components/action.tsx";
import { Badge } from "../components/badge.tsx";
import { EnvNav } from "../components/env-nav.tsx";
import { LogView } from "../components/log-view.tsx";
import { duration, when } from "../format.ts";
import { may } from "../session.ts";
import { useData } from "../use-data.ts";
import { useFollowedLog } from "../use-followed-log.ts";

export function JobRun({ params }: { params: Record<string, string> }) {
  const { project, env } = params as { project: string; env: string };
  const id = Number(params.id);
  const { client, me } = useSession();
  const run = useData(() => unwrap(client["job-runs"][":id"].$get({ param: { id: String(id) } })), [id]);
  const log = useFollowedLog<{ status: string; exitCode: number | null; reason: string | null }>("job-runs", id, run.reload);
  const r = run.data;
  const status = log.final?.status ?? r?.status;
  const finished = status && !["queued", "running"].includes(status);
  return (
    <section>
      <EnvNav project={project} env={env} at="" />
      <h1>Job run #{id} {status && <Badge state={status} />}</h1>
      {run.error && <p class="error" role="alert">{run.error}</p>}
      {r && (
        <p class="meta">
          {r.job}, {r.trigger}, release {r.release ?? "—"}, started {when(r.startedAt)}, took {duration(r.startedAt, r.finishedAt)}
          {r.exitCode !== null && `, exit code ${r.exitCode}`}
        </p>
      )}
      {r?.reason && <p class="error">{r.reason}</p>}
      {!finished && may(me, "member", project) && <Action label="Cancel run" danger confirm={`Cancel run #${id} of ${r?.job}: its container is killed.`} run={() => unwrap(client["job-runs"][":id"].cancel.$post({ param: { id: String(id) } }))} done={run.reload} />}
      <LogView lines={log.lines} label={`Output of job run ${id}`} />
    </section>
  );
}
