import { describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSecretBox } from "../../adapters/crypto/secret-box.ts";
import { createFileLogStore } from "../../adapters/logs/file-log-store.ts";
import { migrate, openDb } from "../../adapters/store/db.ts";
import { createJobRunStore } from "../../adapters/store/job-run-store.ts";
import { createProjectStore } from "../../adapters/store/project-store.ts";
import { createReleaseStore } from "../../adapters/store/release-store.ts";
import { createVariableStore } from "../../adapters/store/variable-store.ts";
import type { JobRunner, JobRunSpec } from "../../ports/job-runner.ts";
import type { JobRunRecord } from "../../ports/job-store.ts";
import type { ProjectFile } from "../project-file/schema.ts";
import { createVariables } from "../variables.ts";
import { createJobs } from "./jobs.ts";
import { releaseJobHooks } from "./release-hooks.ts";

/** A runner whose runs end when the test says so, with the exit code it gives. */
function fakeRunner() {
  const live = new Map<number, { spec: JobRunSpec; onLine: (line: string) => void; end: (code: number) => void }>();
  const runner: JobRunner = {
    run: (spec, onLine, signal) =>
      new Promise((resolve) => {
        const end = (exitCode: number) => (live.delete(spec.runId), resolve({ exitCode }));
        live.set(spec.runId, { spec, onLine, end });
        signal.addEventListener("abort", () => end(137));
      }),
    removeRuns: async () => 0,
    removeEnvironment: async () => 0,
  };
  return { runner, live };
}

const FILE: ProjectFile = {
  project: "shop",
  blocks: {
    web: { kind: "worker", image: "busybox:1" },
    tick: { kind: "job", image: "busybox:1", command: "echo tick", schedule: "* * * * *" },
    migrate: { kind: "job", image: "busybox:1", command: ["sh", "-c", "exit 3"], trigger: "pre-deploy", timeout: "1s" },
    seed: { kind: "job", image: "busybox:1", trigger: "pre-deploy" },
    notify: { kind: "job", image: "busybox:1", trigger: "post-deploy", env: { CHANNEL: "ops" } },
  },
  environments: { prod: {} },
};

function setup(settings: { concurrency?: number; runsKept?: number; logLimitBytes?: number } = {}) {
  const db = openDb(":memory:");
  migrate(db);
  const projects = createProjectStore(db);
  projects.saveProject(FILE);
  const releases = createReleaseStore(db);
  const release = releases.createRelease("shop", "prod");
  releases.freezeRelease(release.id, Object.entries(FILE.blocks).map(([name, spec]) => ({ name, image: "busybox:1", imageId: `sha256:${name}`, commit: null, spec })));
  const live = releases.finishRelease(release.id, "deployed", null);
  const variables = createVariables(projects, createVariableStore(db), createSecretBox(randomBytes(32)));
  const { runner, live: running } = fakeRunner();
  const finished: JobRunRecord[] = [];
  const jobs = createJobs({
    projects,
    releases,
    store: createJobRunStore(db),
    logs: createFileLogStore(mkdtempSync(join(tmpdir(), "berth-job-logs-"))),
    runner,
    variables,
    settings: { concurrency: settings.concurrency ?? 2, logLimitBytes: settings.logLimitBytes ?? 1024 * 1024, runsKept: settings.runsKept ?? 100 },
    onFinished: (run) => finished.push(run),
  });
  return { jobs, running, releases, live, finished, variables };
}

const tick = () => Bun.sleep(5);

describe("job runs", () => {
  test("a manual run uses the live release's image and the job's variables plus --env; its exit code decides", async () => {
    const { jobs, running, finished } = setup();
    const run = jobs.start("shop", "prod", "notify", { env: { EXTRA: "1" } });
    expect(run).toMatchObject({ trigger: "manual", status: "queued", release: 1 });
    await tick();
    const started = running.get(run.id)!;
    expect(started.spec.plan.image).toBe("sha256:notify");
    expect(started.spec.plan.env).toMatchObject({ CHANNEL: "ops", EXTRA: "1" });
    // Apart too, for a runner that takes the block's variables from elsewhere (the cluster's Secret).
    expect(started.spec.overrides).toEqual({ EXTRA: "1" });
    started.onLine("hello");
    started.end(4);
    const ended = await jobs.wait(run.id);
    expect(ended).toMatchObject({ status: "failed", exitCode: 4, reason: "exit 4" });
    expect(jobs.logLines(run.id)).toEqual(["hello", `run #${run.id} failed: exit 4`]);
    expect(finished.map((r) => r.id)).toEqual([run.id]);
  });

  test("a schedule never stacks runs of one job: a second firing is recorded as skipped", async () => {
    const { jobs, running, finished } = setup();
    const first = jobs.start("shop", "prod", "tick", { trigger: "schedule", scheduledFor: "2026-01-01T00:00:00.000Z" });
    const second = jobs.start("shop", "prod", "tick", { trigger: "schedule", scheduledFor: "2026-01-01T00:01:00.000Z" });
    expect(second).toMatchObject({ status: "skipped", reason: `run #${first.id} was still running`, scheduledFor: "2026-01-01T00:01:00.000Z" });
    // Skipped runs send no notification.
    expect(finished).toEqual([]);
    await tick();
    running.get(first.id)!.end(0);
    await jobs.wait(first.id);
    expect(jobs.start("shop", "prod", "tick", { trigger: "schedule" }).status).toBe("queued");
  });

  test("at most `concurrency` runs at once; more wait queued and can be cancelled there", async () => {
    const { jobs, running } = setup({ concurrency: 1 });
    const a = jobs.start("shop", "prod", "tick");
    const b = jobs.start("shop", "prod", "notify");
    await tick();
    expect([...running.keys()]).toEqual([a.id]);
    expect(jobs.get(b.id).status).toBe("queued");
    expect(jobs.cancel(b.id)).toMatchObject({ status: "cancelled" });
    running.get(a.id)!.end(0);
    expect((await jobs.wait(a.id)).status).toBe("succeeded");
  });

  test("cancelling a running run kills it: cancelled, not failed", async () => {
    const { jobs } = setup();
    const run = jobs.start("shop", "prod", "tick");
    await tick();
    jobs.cancel(run.id);
    expect(await jobs.wait(run.id)).toMatchObject({ status: "cancelled", exitCode: 137 });
    expect(() => jobs.cancel(run.id)).toThrow(`job run ${run.id} already cancelled`);
  });

  test("a run past its timeout is killed and timed-out", async () => {
    const { jobs, live } = setup();
    const block = live.blocks.find((b) => b.name === "migrate")!;
    const run = await jobs.runForRelease(live, block, "pre-deploy");
    expect(run).toMatchObject({ status: "timed-out", reason: "ran longer than its timeout (1s): stopped" });
  });

  test("only the newest `runsKept` runs of a job are kept", async () => {
    const { jobs, running } = setup({ runsKept: 2 });
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const run = jobs.start("shop", "prod", "tick");
      await tick();
      running.get(run.id)!.end(0);
      await jobs.wait(run.id);
      ids.push(run.id);
    }
    expect(jobs.list("shop", "prod", "tick").map((r) => r.id)).toEqual([ids[2]!, ids[1]!]);
    expect(() => jobs.get(ids[0]!)).toThrow("not found");
  });

  test("a job that is not in the live release, or a bad --env, is refused", () => {
    const { jobs } = setup();
    expect(() => jobs.start("shop", "prod", "web")).toThrow('job "web" not found in release 1 of shop/prod (its jobs: migrate, notify, seed, tick)');
    expect(() => jobs.start("shop", "prod", "tick", { env: { "1X": "a" } })).toThrow("not a variable name");
  });
});

describe("deploy hooks", () => {
  test("pre-deploy jobs run in name order and the first failure stops the deploy, naming exit code and output", async () => {
    const { jobs, running, live, releases } = setup();
    const hooks = releaseJobHooks(jobs, releases);
    const said: string[] = [];
    const done = hooks.beforeRollout(live, (line) => said.push(line));
    await tick();
    const [first] = [...running.values()];
    expect(first!.spec.plan.block).toBe("migrate");
    first!.onLine("applying 0007");
    first!.onLine("relation exists");
    first!.end(3);
    expect(done).rejects.toThrow(/^pre-deploy job migrate failed \(exit 3\) \(run #\d+\); last output: applying 0007 \/ relation exists$/);
    await done.catch(() => {});
    // seed never ran.
    expect(jobs.list("shop", "prod").map((r) => r.job)).toEqual(["migrate"]);
    expect(said).toContain("migrate | relation exists");
  });

  test("a failed post-deploy job is a warning on the release, not an error", async () => {
    const { jobs, running, live, releases } = setup();
    const hooks = releaseJobHooks(jobs, releases);
    const done = hooks.afterRollout(live, () => {});
    await tick();
    [...running.values()][0]!.end(1);
    await done;
    expect(releases.getRelease(live.id)!.warnings).toEqual(["post-deploy job notify failed (exit 1)"]);
  });
});

describe("task runs (catalog backups)", () => {
  test("a task is a job run: its output kept, its outcome notified; a second manual one while it runs is refused, a scheduled one skipped", async () => {
    const { jobs, finished } = setup();
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const work = async (write: (line: string) => void, _signal: AbortSignal, run: JobRunRecord) => {
      write(`dumping for run #${run.id}`);
      await gate;
      return { exitCode: 1 };
    };
    const run = jobs.startTask({ project: "shop", environment: "prod", release: 1 }, "db-backup", "manual", "1m", work);
    expect(run).toMatchObject({ job: "db-backup", trigger: "manual", release: 1 });
    await tick();
    expect(() => jobs.startTask({ project: "shop", environment: "prod", release: 1 }, "db-backup", "manual", "1m", work)).toThrow("db-backup is running already");
    expect(jobs.startTask({ project: "shop", environment: "prod", release: 1 }, "db-backup", "schedule", "1m", work).status).toBe("skipped");
    release();
    const ended = await jobs.wait(run.id);
    expect([ended.status, ended.exitCode]).toEqual(["failed", 1]);
    expect(jobs.logLines(run.id)[0]).toBe(`dumping for run #${run.id}`);
    expect(finished.map((r) => [r.job, r.status])).toEqual([["db-backup", "failed"]]);
  });
});
