// test-lane: sequential
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServe } from "./support/binary.ts";
import { eventually } from "./support/eventually.ts";
import { loadTestEnv } from "./support/test-env.ts";
import { docker } from "./support/sh.ts";

setDefaultTimeout(180_000);

const env = loadTestEnv();
const PROJECT = `jobcron${crypto.randomUUID().slice(0, 6)}`;
let server: Awaited<ReturnType<typeof startServe>>;

const projectFile = `project: ${PROJECT}
blocks:
  tick:
    kind: job
    image: ${env.images.busybox}
    command: [sh, -c, "echo tick; sleep 3"]
    schedule: "*/2 * * * * *"
  hang:
    kind: job
    image: ${env.images.busybox}
    command: [sh, -c, "echo started; sleep 300"]
environments:
  dev: {}
`;

interface Run {
  id: number;
  job: string;
  trigger: string;
  status: string;
  reason: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

const runs = async (job: string) => {
  const listed = await server.run(["job", "runs", PROJECT, "dev", job, "--json"]);
  expect(listed.code).toBe(0);
  return JSON.parse(listed.stdout) as Run[];
};
const jobContainers = (job: string) =>
  docker(["ps", "-aq", "--filter", `label=berth.project=${PROJECT}`, "--filter", `label=berth.block=${job}`, "--filter", "label=berth.job-run"]).out.split("\n").filter(Boolean);

beforeAll(async () => {
  server = await startServe(["--no-edge"]);
  const file = join(server.home, "berth.yaml");
  writeFileSync(file, projectFile);
  expect((await server.run(["apply", "-f", file])).code).toBe(0);
  expect((await server.run(["deploy", PROJECT, "dev"])).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await server?.close();
  const ids = docker(["ps", "-aq", "--filter", `label=berth.project=${PROJECT}`]).out.split("\n").filter(Boolean);
  if (ids.length) docker(["rm", "-f", ...ids]);
  docker(["network", "rm", `berth-${PROJECT}-dev`]);
});

describe("scheduled jobs and interrupted runs", () => {
  test("status shows a scheduled job's next run", async () => {
    const status = JSON.parse((await server.run(["status", PROJECT, "dev", "--json"])).stdout) as { jobs: { name: string; trigger: string; schedule: string; timezone: string; nextRun: string }[] };
    const tick = status.jobs.find((j) => j.name === "tick")!;
    expect(tick).toMatchObject({ trigger: "schedule", schedule: "*/2 * * * * *", timezone: "UTC" });
    const next = Date.parse(tick.nextRun);
    expect(next).toBeGreaterThan(Date.now() - 1000);
    expect(next).toBeLessThanOrEqual(Date.now() + 2500);
    const table = await server.run(["status", PROJECT, "dev"]);
    expect(table.stdout).toMatch(/^JOB\s+TRIGGER\s+SCHEDULE\s+NEXT RUN\s+LAST RUN$/m);
    expect(table.stdout).toMatch(/^tick\s+schedule\s+\*\/2 \* \* \* \* \* \(UTC\)\s+\d{4}-/m);
  });

  test("a schedule every 2 s of a job that takes 3 s: at least 3 runs in 8 s, never two at once, the rest skipped", async () => {
    await eventually(async () => (await runs("tick")).length > 0, 30_000, "the first scheduled run");
    const windowStart = Date.now();
    let most = 0;
    while (Date.now() - windowStart < 8_000) {
      most = Math.max(most, jobContainers("tick").length);
      await Bun.sleep(200);
    }
    const inWindow = (await runs("tick")).filter((r) => Date.parse(r.createdAt) >= windowStart - 500);
    expect(inWindow.length).toBeGreaterThanOrEqual(3);
    expect(inWindow.every((r) => r.trigger === "schedule")).toBe(true);
    expect(inWindow.some((r) => r.status === "skipped")).toBe(true);
    expect(most).toBe(1);
    // The runs that ran, oldest first: each started after the one before had finished.
    const ran = (await runs("tick")).filter((r) => r.startedAt).reverse();
    for (let i = 1; i < ran.length; i++) {
      if (!ran[i - 1]!.finishedAt) continue;
      expect(Date.parse(ran[i]!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(ran[i - 1]!.finishedAt!));
    }
    const skipped = inWindow.find((r) => r.status === "skipped")!;
    expect(skipped.reason).toMatch(/^run #\d+ was still running$/);
  });

  test("serve killed with -9 during a run: on restart the run is failed: interrupted and its container is gone", async () => {
    const started = await server.run(["job", "run", PROJECT, "dev", "hang"]);
    const id = /#(\d+)/.exec(started.stdout)![1]!;
    await eventually(async () => (await server.run(["job", "log", id])).stdout.includes("started"), 30_000, "the run's first output line");
    expect(docker(["ps", "-q", "--filter", `label=berth.job-run=${id}`]).out).not.toBe("");
    server.proc.kill("SIGKILL");
    await server.proc.exited;
    await server.restart();
    const [run] = await runs("hang");
    expect(run).toMatchObject({ id: Number(id), status: "failed", reason: "interrupted: the server stopped during the run" });
    expect(docker(["ps", "-aq", "--filter", `label=berth.job-run=${id}`]).out).toBe("");
  });

  test("deleting the environment stops its schedule and removes its job containers", async () => {
    await eventually(() => jobContainers("tick").length > 0, 30_000, "a scheduled run after the restart");
    const deleted = await server.run(["env", "delete", PROJECT, "dev", "--yes"]);
    expect(deleted.code).toBe(0);
    expect(jobContainers("tick")).toEqual([]);
    await Bun.sleep(4_000);
    expect(jobContainers("tick")).toEqual([]);
  });
});
