import { describe, expect, test } from "bun:test";
import type { JobRunRecord } from "../../ports/job-store.ts";
import type { ReleaseRecord } from "../../ports/release-store.ts";
import type { BlockSpec } from "../project-file/schema.ts";
import { createScheduler } from "./scheduler.ts";
import { eventually } from "../../../test/support/eventually.ts";

const release = (blocks: Record<string, BlockSpec>): ReleaseRecord => ({
  id: 1, project: "shop", environment: "prod", number: 1, status: "deployed", reason: null, warnings: [], source: "deploy", actor: null, createdAt: "", finishedAt: null,
  blocks: Object.entries(blocks).map(([name, spec]) => ({ name, image: "i", imageId: "sha256:i", commit: null, spec })),
});

function setup(now: Date, history: Partial<JobRunRecord>[] = [], runsJobs?: boolean) {
  let live: ReleaseRecord | null = release({ backup: { kind: "job", image: "a:1", schedule: "0 3 * * *", startingDeadline: "1h" }, web: { kind: "worker", image: "a:1" } });
  const started: { job: string; scheduledFor?: string }[] = [];
  const scheduler = createScheduler({
    projects: { listProjects: () => [{ name: "shop", blocks: 2, environments: ["prod"], updatedAt: "" }] },
    releases: { currentRelease: () => live },
    jobs: {
      start: (_p, _e, job, options) => (started.push({ job, scheduledFor: options?.scheduledFor }), { status: "queued" } as JobRunRecord),
      list: () => history as JobRunRecord[],
    },
    now: () => now,
    ...(runsJobs !== undefined && { runsJobs }),
  });
  return { scheduler, started, setLive: (next: ReleaseRecord | null) => (live = next) };
}

describe("the scheduler", () => {
  test("schedules the jobs of live releases, and follows deploys and removals on refresh", () => {
    const { scheduler, setLive } = setup(new Date());
    const stop = scheduler.start(() => {});
    try {
      expect(scheduler.nextRun("shop", "prod", "backup")).toMatch(/T03:00:00\.000Z$/);
      expect(scheduler.nextRun("shop", "prod", "web")).toBeNull();
      setLive(release({ backup: { kind: "job", image: "a:1", schedule: "30 4 * * *" } }));
      scheduler.refresh();
      expect(scheduler.nextRun("shop", "prod", "backup")).toMatch(/T04:30:00\.000Z$/);
      setLive(null);
      scheduler.refresh();
      expect(scheduler.nextRun("shop", "prod", "backup")).toBeNull();
    } finally {
      stop();
    }
  });

  test("at start, a run missed within startingDeadline starts once; one that ran already does not", () => {
    const late = setup(new Date("2026-01-10T03:20:00Z"));
    late.scheduler.start(() => {})();
    expect(late.started).toEqual([{ job: "backup", scheduledFor: "2026-01-10T03:00:00.000Z" }]);

    const ran = setup(new Date("2026-01-10T03:20:00Z"), [{ trigger: "schedule", scheduledFor: "2026-01-10T03:00:00.000Z" }]);
    ran.scheduler.start(() => {})();
    expect(ran.started).toEqual([]);

    const tooLate = setup(new Date("2026-01-10T05:00:00Z"));
    tooLate.scheduler.start(() => {})();
    expect(tooLate.started).toEqual([]);
  });

  test("in fleet mode (the cluster's CronJobs run them) no job is scheduled or caught up here", () => {
    const fleet = setup(new Date("2026-01-10T03:20:00Z"), [], false);
    const stop = fleet.scheduler.start(() => {});
    try {
      expect(fleet.scheduler.nextRun("shop", "prod", "backup")).toBeNull();
      expect(fleet.started).toEqual([]);
    } finally {
      stop();
    }
  });

  test("a catalog service's backup schedule fires a backup of the service, under <block>-backup", async () => {
    const taken: string[] = [];
    const scheduler = createScheduler({
      projects: { listProjects: () => [{ name: "shop", blocks: 1, environments: ["prod"], updatedAt: "" }] },
      releases: { currentRelease: () => release({ db: { kind: "service", template: "postgres", backup: { schedule: "* * * * * *", keep: 2 } }, raw: { kind: "service", image: "x", port: 1, backup: { schedule: "0 3 * * *" } } }) },
      jobs: { start: () => ({}) as JobRunRecord, list: () => [] },
      backups: { take: (project, environment, block, trigger) => (taken.push(`${project}/${environment}/${block} ${trigger}`), {} as JobRunRecord) },
    });
    const stop = scheduler.start(() => {});
    try {
      expect(scheduler.nextRun("shop", "prod", "db-backup")).not.toBeNull();
      // A backup without a template (refused at apply anyway) schedules nothing.
      expect(scheduler.nextRun("shop", "prod", "raw-backup")).toBeNull();
      await eventually(() => taken.length > 0, 10_000, "a scheduled backup");
      expect(taken[0]).toBe("shop/prod/db schedule");
    } finally {
      stop();
    }
  });
});
