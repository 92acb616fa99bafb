/** @jsxImportSource preact */
// An environment's jobs with their last run, a Run action, and the recent runs.
import { unwrap } from "../../../src/client/index.ts";
import { useSession } from "../context.ts";
import { ago, duration } from "../format.ts";
import { href, navigate } from "../router.ts";
import { useData } from "../use-data.ts";
import { Action } from "./action.tsx";
import { Badge } from "./badge.tsx";

export function JobsTable({ project, env, canAct }: { project: string; env: string; canAct: boolean }) {
  const { client } = useSession();
  const param = { project, env };
  const where = client.projects[":project"].environments[":env"];
  const jobs = useData(() => unwrap(where.jobs.$get({ param })), [project, env]);
  const runs = useData(() => unwrap(where["job-runs"].$get({ param, query: {} })), [project, env]);
  if (!jobs.data?.jobs.length) return null;
  return (
    <>
      <h2>Jobs</h2>
      <table aria-label="Jobs">
        <thead>
          <tr><th>Job</th><th>Trigger</th><th>Schedule</th><th>Next run</th>{canAct && <th></th>}</tr>
        </thead>
        <tbody>
          {jobs.data.jobs.map((j) => (
            <tr key={j.name}>
              <td>{j.name}</td>
              <td>{j.trigger}</td>
              <td>{j.schedule ? `${j.schedule} (${j.timezone ?? "UTC"})` : "—"}</td>
              <td>{j.nextRun ?? "—"}</td>
              {canAct && (
                <td>
                  <Action
                    label="Run"
                    confirm={`Run ${j.name} now in ${project}/${env} with the live release's image.`}
                    run={() => unwrap(where.jobs[":job"].runs.$post({ param: { ...param, job: j.name }, json: {} }))}
                    done={(run: { id: number }) => navigate(href("p", project, "env", env, "runs", run.id))}
                  />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {!!runs.data?.runs.length && (
        <table aria-label="Job runs">
          <thead>
            <tr><th>Run</th><th>Job</th><th>Status</th><th>Trigger</th><th>Started</th><th>Took</th></tr>
          </thead>
          <tbody>
            {runs.data.runs.slice(0, 10).map((r) => (
              <tr key={r.id}>
                <td><a href={href("p", project, "env", env, "runs", r.id)}>#{r.id}</a></td>
                <td>{r.job}</td>
                <td><Badge state={r.status} /></td>
                <td>{r.trigger}</td>
                <td>{ago(r.startedAt ?? r.createdAt)}</td>
                <td>{duration(r.startedAt, r.finishedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
