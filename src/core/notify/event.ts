import type { ReleaseRecord } from "../../ports/release-store.ts";

export const NOTIFY_KINDS = ["deploy", "promote", "rollback", "push", "job", "certificate"] as const;
export type NotifyKind = (typeof NOTIFY_KINDS)[number];

export const NOTIFY_FORMATS = ["json", "slack", "discord"] as const;
export type NotifyFormat = (typeof NOTIFY_FORMATS)[number];

/** Something that finished in an environment: a release, or a job run. */
export interface NotifyEvent {
  kind: NotifyKind;
  project: string;
  environment: string;
  /** The release's number, or the job run's. */
  number: number;
  /** The job's name, for kind `job`. */
  job?: string;
  /** The host name, for kind `certificate`. */
  host?: string;
  /** What started it: `deploy`, `promote from dev#4`, `rollback to #2`, `push <sha>`, `schedule`… */
  source: string;
  /** deployed | failed for releases; succeeded | failed (or the job's word) for job runs. */
  status: string;
  ok: boolean;
  reason: string | null;
  startedAt: string;
  finishedAt: string;
}

/** The event a release's source stands for; a release with no source was a plain deploy. */
export function kindOfSource(source: string | null | undefined): NotifyKind {
  const word = source?.trim().split(/\s/)[0];
  return word === "promote" || word === "rollback" || word === "push" ? word : "deploy";
}

/** The one mapping from a finished release to what its receivers are told. */
export function releaseEvent(release: ReleaseRecord): NotifyEvent {
  return {
    kind: kindOfSource(release.source),
    project: release.project,
    environment: release.environment,
    number: release.number,
    source: release.source,
    status: release.status,
    ok: release.status === "deployed",
    // A deployed release's warnings (a failed post-deploy job) are what its receivers need to hear.
    reason: release.reason ?? (release.warnings?.length ? `warning: ${release.warnings.join("; ")}` : null),
    startedAt: release.createdAt,
    finishedAt: release.finishedAt ?? new Date().toISOString(),
  };
}

/**
 * A certificate near its end whose renewal keeps failing, told to the project whose block
 * serves the host (at most once a day, like the server's log line).
 */
export function certificateEvent(holder: { project: string; environment: string }, cert: { host: string; notAfter: string; reason: string | null }, now: string): NotifyEvent {
  return {
    kind: "certificate",
    ...holder,
    number: 0,
    host: cert.host,
    source: "renewal",
    status: "expiring",
    ok: false,
    reason: `the certificate of ${cert.host} expires at ${cert.notAfter} and renewal keeps failing${cert.reason ? `: ${cert.reason}` : ""}`,
    startedAt: now,
    finishedAt: now,
  };
}

/** "deploy prod #4", "job prod nightly #7", "certificate prod shop.example.com": what `notify list` says was being sent. */
export const eventLabel = (event: NotifyEvent) =>
  event.kind === "job"
    ? `job ${event.environment} ${event.job ?? "?"} #${event.number}`
    : event.kind === "certificate"
      ? `certificate ${event.environment} ${event.host ?? "?"}`
      : `${event.kind} ${event.environment} #${event.number}`;

export const durationMs = (event: NotifyEvent) => Math.max(0, Date.parse(event.finishedAt) - Date.parse(event.startedAt)) || 0;
