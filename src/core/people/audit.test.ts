import { describe, expect, test } from "bun:test";
import { createAuditStore } from "../../adapters/store/audit-store.ts";
import { expectBerthError } from "../../../test/support/errors.ts";
import { memoryState } from "../../../test/support/state.ts";
import { createAudit, parseAuditSince } from "./audit.ts";
import type { Principal } from "./rights.ts";

const entry = (project: string | null, action: string) => ({ user: "ann", via: "session", ip: "192.0.2.1", method: "POST", route: "/api/x", project, environment: null, action, outcome: "ok", status: 200 });
const person = (role: Principal["user"]["role"], grants: Principal["grants"] = []): Principal => ({ user: { id: 2, name: "ann", role }, grants, via: "session" });

function log() {
  let now = Date.parse("2026-12-02T10:00:00Z");
  const { db } = memoryState();
  const audit = createAudit({ store: createAuditStore(db), projectNames: () => ["alpha", "beta"], daysKept: 30, now: () => now });
  return { audit, advance: (ms: number) => void (now += ms) };
}

describe("audit log", () => {
  test("install admins read every entry; others the entries of projects they see, install-wide ones not", () => {
    const { audit, advance } = log();
    for (const [project, action] of [["alpha", "deploy"], ["beta", "deploy"], [null, "user add"]] as const) {
      audit.record(entry(project, action));
      advance(1000);
    }
    expect(audit.query(person("admin"), {}).map((e) => e.project)).toEqual([null, "beta", "alpha"]);
    expect(audit.query(person("none", [{ project: "alpha", role: "viewer" }]), {}).map((e) => e.project)).toEqual(["alpha"]);
    expect(audit.query(person("viewer"), { project: "beta" }).map((e) => e.project)).toEqual(["beta"]);
    expect(audit.query(person("admin"), { since: "2s" }).map((e) => e.action)).toEqual(["user add", "deploy"]);
  });

  test("entries older than the retention go as new ones come", () => {
    const { audit, advance } = log();
    audit.record(entry("alpha", "old"));
    advance(31 * 86_400_000);
    audit.record(entry("alpha", "new"));
    expect(audit.query(person("admin"), {}).map((e) => e.action)).toEqual(["new"]);
  });

  test("since takes a duration or an RFC 3339 time, nothing else", () => {
    const now = Date.parse("2026-12-02T10:00:00Z");
    expect(parseAuditSince("90m", now)).toBe("2026-12-02T08:30:00.000Z");
    expect(parseAuditSince("2026-12-01T12:00:00+01:00", now)).toBe("2026-12-01T11:00:00.000Z");
    expect(expectBerthError(() => parseAuditSince("yesterday", now), "invalid").message).toStartWith('since "yesterday": expected a duration');
  });
});
