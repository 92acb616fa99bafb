import type { Access } from "./access.ts";
import type { Builds } from "./builds/builds.ts";
import type { GitCredentialService } from "./builds/credentials.ts";
import type { Deployments } from "./deploy/deployments.ts";
import type { Environments } from "./environments.ts";
import type { Exec } from "./exec.ts";
import type { Jobs } from "./jobs/jobs.ts";
import type { JobOverview } from "./jobs/overview.ts";
import type { Scheduler } from "./jobs/scheduler.ts";
import type { Logs } from "./logs/logs.ts";
import type { Notifications } from "./notify/notifications.ts";
import type { Metrics } from "./metrics/metrics.ts";
import type { Audit } from "./people/audit.ts";
import type { Members } from "./people/members.ts";
import type { Sessions } from "./people/sessions.ts";
import type { Users } from "./people/users.ts";
import type { Projects } from "./projects.ts";
import type { Certs } from "./tls/certs.ts";
import type { Tokens } from "./tokens.ts";
import type { Variables } from "./variables.ts";
import type { Webhooks } from "./webhooks/webhooks.ts";
import type { ServiceBackups } from "./catalog/backups.ts";
import type { catalogListing } from "./catalog/service-catalog.ts";
import type { ReleaseRecord } from "../ports/release-store.ts";
import type { Fleet } from "./fleet/fleet.ts";
import type { FleetNodes } from "./fleet/nodes.ts";

/** The use cases the API exposes, wired from adapters by app.ts. */
export interface Services {
  projects: Projects;
  environments: Environments;
  variables: Variables;
  tokens: Tokens;
  /** People: users with their keys and passwords, per-project grants, console sessions, the audit log. */
  users: Users;
  members: Members;
  sessions: Sessions;
  audit: Audit;
  builds: Builds;
  gitCredentials: GitCredentialService;
  deployments: Deployments;
  access: Access;
  exec: Exec;
  jobs: Jobs & {
    /** Each job of an environment with its next scheduled run and last run. */
    overview(project: string, environment: string): JobOverview[];
    scheduler: Scheduler;
  };
  certs: Certs;
  webhooks: Webhooks;
  /** `autoDeploy: poll`: starts polling every environment that asks for it; returns a stop function. */
  pollGit(): () => void;
  /** Receivers of a project's events; `notify(event)` tells them (releases call it, job runs may). */
  notifications: Notifications;
  metrics: Metrics;
  logs: Logs;
  /** Fleet mode so far: the manifests a release would become on k3s. */
  fleet: Fleet;
  /** The fleet's machines: k3s server on this machine (init), agents joined and removed over SSH, their records. */
  fleetNodes: FleetNodes;
  /** The service catalog: templates, backups of templated services, password rotation. */
  catalog: {
    list: typeof catalogListing;
    backups: ServiceBackups;
    rotatePassword(project: string, environment: string, block: string, actor?: string): Promise<{ release: ReleaseRecord; restarted: string[] }>;
  };
}
