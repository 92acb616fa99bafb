/** @jsxImportSource preact */
// The console's screens by URL; the first pattern that matches wins.
import type { FunctionComponent } from "preact";
import type { Place } from "./router.ts";
import { Access } from "./views/access.tsx";
import { ApiDocs } from "./views/api-docs.tsx";
import { Build } from "./views/build.tsx";
import { Certs } from "./views/certs.tsx";
import { Environment } from "./views/environment.tsx";
import { JobRun } from "./views/job-run.tsx";
import { Logs } from "./views/logs.tsx";
import { Metrics } from "./views/metrics.tsx";
import { Project } from "./views/project.tsx";
import { Projects } from "./views/projects.tsx";
import { Promote } from "./views/promote.tsx";
import { Release } from "./views/release.tsx";
import { Releases } from "./views/releases.tsx";
import { Variables } from "./views/variables.tsx";
import { Audit } from "./views/audit.tsx";
import { Tokens } from "./views/tokens.tsx";
import { Users } from "./views/users.tsx";

export type View = FunctionComponent<{ params: Record<string, string>; query: Place["query"] }>;

export const ROUTES: [string, View][] = [
  ["/", Projects],
  ["/certs", Certs],
  ["/api-docs", ApiDocs],
  ["/admin/users", Users],
  ["/admin/tokens", Tokens],
  ["/admin/audit", Audit],
  ["/p/:project", Project],
  ["/p/:project/builds/:id", Build],
  ["/p/:project/env/:env", Environment],
  ["/p/:project/env/:env/releases", Releases],
  ["/p/:project/env/:env/releases/:number", Release],
  ["/p/:project/env/:env/promote", Promote],
  ["/p/:project/env/:env/runs/:id", JobRun],
  ["/p/:project/env/:env/logs", Logs],
  ["/p/:project/env/:env/metrics", Metrics],
  ["/p/:project/env/:env/variables", Variables],
  ["/p/:project/env/:env/access", Access],
];

export function NotFound() {
  return (
    <section>
      <h1>Not found</h1>
      <p>This page does not exist. <a href="/">Back to the projects</a></p>
    </section>
  );
}
