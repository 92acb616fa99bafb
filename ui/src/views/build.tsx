/** @jsxImportSource preact */
import { unwrap } from "../../../src/client/index.ts";
import { useSession } from "../context.ts";
import { Action } from "../components/action.tsx";
import { Badge } from "../components/badge.tsx";
import { LogView } from "../components/log-view.tsx";
import { duration, short, when } from "../format.ts";
import { href } from "../router.ts";
import { may } from "../session.ts";
import { useData } from "../use-data.ts";
import { useFollowedLog } from "../use-followed-log.ts";

export function Build({ params }: { params: Record<string, string> }) {
  const { project } = params as { project: string };
  const id = Number(params.id);
  const { client, me } = useSession();
  const build = useData(() => unwrap(client.builds[":id"].$get({ param: { id: String(id) } })), [id]);
  const log = useFollowedLog<{ status: string }>("builds", id, build.reload);
  const b = build.data;
  const status = log.final?.status ?? b?.status;
  const finished = status && !["queued", "building", "running"].includes(status);
  return (
    <section>
      <nav class="crumbs" aria-label="Breadcrumbs"><a href="/">Projects</a> / <a href={href("p", project)}>{project}</a> / <span>build #{id}</span></nav>
      <h1>Build #{id} {status && <Badge state={status} />}</h1>
      {build.error && <p class="error" role="alert">{build.error}</p>}
      {b && (
        <p class="meta">
          {b.block} for {b.environment}, ref {b.ref ?? "—"}, commit <code>{short(b.commit, 10)}</code>, started {when(b.startedAt)}, took {duration(b.startedAt, b.finishedAt)}
          {b.cacheHit && ", from cache"}
        </p>
      )}
      {b?.reason && <p class="error">{b.reason}</p>}
      {!finished && may(me, "member", project) && <Action label="Cancel build" danger confirm={`Cancel build #${id} of ${b?.block}.`} run={() => unwrap(client.builds[":id"].cancel.$post({ param: { id: String(id) } }))} done={build.reload} />}
      <LogView lines={log.lines} label={`Output of build ${id}`} />
    </section>
  );
}
