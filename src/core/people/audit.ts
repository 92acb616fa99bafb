import type { AuditEntry, AuditStore } from "../../ports/audit-store.ts";
import { invalid } from "../errors.ts";
import { parseSince } from "../metrics/retention.ts";
import { atLeast } from "../roles.ts";
import { installRole, visibleProjects, type Principal } from "./rights.ts";

export const AUDIT_MAX_LIMIT = 1000;
const PRUNE_EVERY_MS = 3_600_000;

/** "90s", "30m", "1h", "7d" ago, or an RFC 3339 time; the ISO time it names. */
export function parseAuditSince(text: string, now: number): string {
  const seconds = parseSince(text);
  if (seconds !== null) return new Date(now - seconds * 1000).toISOString();
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) && !Number.isNaN(Date.parse(text))) return new Date(Date.parse(text)).toISOString();
  throw invalid(`since "${text.slice(0, 40)}": expected a duration such as 30m, 1h or 7d, or a time such as 2026-12-02T10:00:00Z`, [{ path: "since", message: "a duration or an RFC 3339 time" }]);
}

/** Who changed what, when, from where, and how it ended. Install admins read every entry; others their projects'. */
export function createAudit(deps: { store: AuditStore; projectNames: () => string[]; daysKept: number; now?: () => number }) {
  const now = deps.now ?? Date.now;
  let prunedAt = 0;
  return {
    record(entry: Omit<AuditEntry, "at" | "detail"> & { detail?: string | null }) {
      const at = now();
      deps.store.append({ ...entry, detail: entry.detail ?? null, at: new Date(at).toISOString() });
      // Old entries go as new ones come, at most hourly: a log nobody prunes by hand stays bounded.
      if (at - prunedAt >= PRUNE_EVERY_MS) {
        prunedAt = at;
        deps.store.prune(new Date(at - deps.daysKept * 86_400_000).toISOString());
      }
    },

    query(caller: Principal, options: { project?: string; since?: string; limit?: number }) {
      const all = atLeast(installRole(caller), "admin");
      return deps.store.query({
        project: options.project,
        since: options.since ? parseAuditSince(options.since, now()) : undefined,
        limit: Math.min(options.limit ?? 100, AUDIT_MAX_LIMIT),
        projects: all ? null : (visibleProjects(caller, deps.projectNames()) ?? deps.projectNames()),
      });
    },
  };
}

export type Audit = ReturnType<typeof createAudit>;
