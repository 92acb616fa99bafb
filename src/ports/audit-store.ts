export interface AuditEntry {
  at: string;
  user: string | null;
  /** "token:<id>", "session", "webhook", "schedule". */
  via: string;
  ip: string | null;
  method: string;
  route: string;
  project: string | null;
  environment: string | null;
  action: string;
  detail: string | null;
  /** "ok" or the error code of the answer. */
  outcome: string;
  status: number;
}

export interface AuditQuery {
  since?: string;
  /** Only these projects' entries (null: every entry, install-wide ones included). */
  projects: string[] | null;
  project?: string;
  limit: number;
}

/** The audit log: appended to, read newest first. */
export interface AuditStore {
  append(entry: AuditEntry): void;
  query(query: AuditQuery): AuditEntry[];
}
