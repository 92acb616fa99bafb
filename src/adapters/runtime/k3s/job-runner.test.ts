import { afterEach, beforeAll, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { type KubeApi, type Pki, startKubeApi, testPki } from "../../../../test/support/kube-api.ts";
import { eventually } from "../../../../test/support/eventually.ts";
import { fleetPlan } from "../../../core/fleet/fleet-plan.ts";
import { parseProjectFile } from "../../../core/project-file/parse.ts";
import { resolveBlock } from "../../../core/project-file/resolve.ts";
import type { JobRunner, JobRunSpec } from "../../../ports/job-runner.ts";
import type { ReleaseBlock } from "../../../ports/release-store.ts";
import type { BlockPlan } from "../../../ports/runtime.ts";
import { createK3sJobRunner } from "./job-runner.ts";
import { createKubeClient } from "./kube-client.ts";
import { manifestObjects } from "./manifests.ts";
import { JOB_RUN_LABEL, jobRunName } from "./names.ts";

const file = parseProjectFile(`
project: shop
blocks:
  web: { kind: website, image: acme/web:1, port: 8080 }
  report: { kind: job, image: acme/report:1, command: [report], timeout: 2m }
  tick: { kind: job, image: acme/tick:1, schedule: "*/5 * * * *" }
  migrate: { kind: job, image: acme/api:1, trigger: pre-deploy }
environments:
  prod:
  dev:
`);
const NS = "berth-shop-prod";
const SECRET_VALUE = "s3cret-value";

setDefaultTimeout(30_000);

/** Release 1 of an environment's objects, applied as the runtime would (the manual job's Job suspended). */
async function deployed(environment = "prod") {
  const blocks: ReleaseBlock[] = Object.keys(file.blocks).map((name) => {
    const spec = resolveBlock(file, environment, name);
    return { name, image: spec.image!, imageId: `sha256:${name}`, commit: null, spec };
  });
  const plan = fleetPlan({ project: "shop", environment, release: 1, blocks, variablesOf: () => ({ env: { TOKEN: SECRET_VALUE }, fingerprint: "fp", dependsOn: [] }) });
  const client = createKubeClient(api.config);
  for (const object of manifestObjects(plan)) await client.apply(object);
}

const spec = (block: string, runId: number, overrides: Record<string, string> = {}, environment = "prod"): JobRunSpec => ({
  runId,
  project: "shop",
  environment,
  release: 1,
  plan: { block, kind: "job", image: "ignored", env: { TOKEN: SECRET_VALUE, ...overrides }, replicas: 1, volumes: [], hash: "h" } as BlockPlan,
  overrides,
});

let pki: Pki;
let api: KubeApi;
let runner: JobRunner;
beforeAll(async () => {
  pki = await testPki();
});
beforeEach(async () => {
  api = await startKubeApi({ pki });
  runner = createK3sJobRunner(createKubeClient(api.config), { pollMs: 5, outputGraceMs: 1_000 });
});
afterEach(() => api.stop());

/** Runs a job, collecting its lines; the run's Job name for scripting it. */
function start(s: JobRunSpec, signal = new AbortController().signal) {
  const lines: string[] = [];
  const done = runner.run(s, (line) => void lines.push(line), signal);
  return { lines, done, name: jobRunName(s.plan.block, s.runId) };
}

/** The run's Job as it was applied (it is gone once the run ended). */
const appliedJob = (name: string) => {
  const request = api.requests.find((r) => r.method === "PATCH" && r.path === `/apis/batch/v1/namespaces/${NS}/jobs/${name}`);
  return request ? JSON.parse(request.body) : undefined;
};

describe("run", () => {
  test("a copy of the release's suspended Job runs, not suspended; its pod's lines stream out and its exit code is the run's", async () => {
    await deployed();
    const name = jobRunName("report", 7);
    api.scriptJob(NS, name, ["running"]);
    api.setLogs(NS, name, ["report: starting"]);
    const { lines, done } = start(spec("report", 7));
    // A line written while it runs reaches onLine before the Job ends.
    await eventually(() => lines.includes("report: starting") && api.openLogFollows(NS, name) === 1, 5_000, "the pod's log is followed");
    api.appendLogs(NS, name, ["report: 42 rows"]);
    await eventually(() => lines.includes("report: 42 rows"), 5_000, "a later line streams out");
    api.scriptJob(NS, name, [{ exit: 0 }]);
    expect(await done).toEqual({ exitCode: 0 });
    expect(lines).toEqual(["report: starting", "report: 42 rows"]);

    const job = appliedJob(name);
    const source = api.object("Job", NS, "report-r1")!;
    expect(source.spec.suspend).toBe(true);
    expect(job.spec.suspend).toBeUndefined();
    expect(job.metadata.labels).toEqual({ "app.kubernetes.io/managed-by": "berth", "berth.project": "shop", "berth.environment": "prod", [JOB_RUN_LABEL]: "7" });
    expect(job.spec.activeDeadlineSeconds).toBe(120);
    expect(job.spec.backoffLimit).toBe(0);
    // The same pod: the release's image, its variables from the block's Secret, never a value in the Job.
    expect(job.spec.template.spec).toEqual(source.spec.template.spec);
    expect(job.spec.template.metadata.labels).toEqual({ ...source.spec.template.metadata.labels, [JOB_RUN_LABEL]: "7" });
    expect(JSON.stringify(job)).not.toContain(SECRET_VALUE);
    // The output followed with times, of the block's container; the Job deleted once it ended.
    const follows = api.requests.filter((r) => r.path === `/api/v1/namespaces/${NS}/pods/${name}-pod/log`);
    expect(follows[0]!.query).toMatchObject({ follow: "true", timestamps: "true", container: "report" });
    expect(api.object("Job", NS, name)).toBeUndefined();
    expect(api.writes().at(-1)).toBe(`DELETE /apis/batch/v1/namespaces/${NS}/jobs/${name}`);
    expect(JSON.parse(api.requests.at(-1)!.body)).toMatchObject({ propagationPolicy: "Background" });
  });

  test("reads of the Job that fail for a moment (an API server restarting) do not end the run", async () => {
    await deployed();
    const name = jobRunName("report", 9);
    api.scriptJob(NS, name, ["running"]);
    const real = createKubeClient(api.config);
    let refused = 0;
    const flaky = {
      ...real,
      get: async (ref: Parameters<typeof real.get>[0]) => {
        if (ref.kind === "Job" && ref.name === name && refused < 3) {
          refused++;
          throw new Error("get Job: the Kubernetes API at https://127.0.0.1: connection refused");
        }
        return real.get(ref);
      },
    };
    const done = createK3sJobRunner(flaky, { pollMs: 5, outputGraceMs: 1_000 }).run(spec("report", 9), () => {}, new AbortController().signal);
    await eventually(() => refused === 3, 5_000, "the reads failed three times");
    api.scriptJob(NS, name, [{ exit: 0 }]);
    expect(await done).toEqual({ exitCode: 0 });
  });

  test("the run's variables are the container's env, over the Secret's; only they are in the Job", async () => {
    await deployed();
    const { done, name } = start(spec("report", 8, { LIMIT: "10", MODE: "dry" }));
    expect(await done).toEqual({ exitCode: 0 });
    const container = appliedJob(name).spec.template.spec.containers[0];
    expect(container.env).toEqual([
      { name: "LIMIT", value: "10" },
      { name: "MODE", value: "dry" },
    ]);
    expect(container.envFrom).toEqual(api.object("Job", NS, "report-r1")!.spec.template.spec.containers[0].envFrom);
    expect(JSON.stringify(appliedJob(name))).not.toContain(SECRET_VALUE);
  });

  test("a failing container: its exit code, its lines", async () => {
    await deployed();
    const name = jobRunName("report", 9);
    api.scriptJob(NS, name, ["running", { exit: 3 }]);
    api.setLogs(NS, name, ["report: no database"]);
    const { lines, done } = start(spec("report", 9));
    expect(await done).toEqual({ exitCode: 3 });
    expect(lines).toEqual(["report: no database"]);
  });

  test("ended by its activeDeadlineSeconds: a non-zero code and a line saying so", async () => {
    await deployed();
    const name = jobRunName("report", 10);
    api.scriptJob(NS, name, ["running", "deadline"]);
    api.setLogs(NS, name, ["report: slow"]);
    const { lines, done } = start(spec("report", 10));
    expect(await done).toEqual({ exitCode: 137 });
    expect(lines.at(-1)).toBe("the cluster stopped the run: it ran longer than the Job's activeDeadlineSeconds (120 s)");
  });

  test("an abort deletes the Job and its pod, and the run resolves as killed", async () => {
    await deployed();
    const name = jobRunName("report", 11);
    api.scriptJob(NS, name, ["running"]);
    api.setLogs(NS, name, ["report: working"]);
    const abort = new AbortController();
    const { lines, done } = start(spec("report", 11), abort.signal);
    await eventually(() => lines.includes("report: working"), 5_000, "the run is under way");
    abort.abort();
    expect(await done).toEqual({ exitCode: 137 });
    expect(api.object("Job", NS, name)).toBeUndefined();
    expect(api.openLogFollows(NS, name)).toBe(0);
  });

  test("a pod that cannot start (its image cannot be pulled) fails the run in one line, and its Job goes", async () => {
    await deployed();
    const name = jobRunName("report", 12);
    api.scriptJob(NS, name, [{ waiting: "ImagePullBackOff" }]);
    const { done } = start(spec("report", 12));
    await expect(done).rejects.toThrow(`pod ${name}-pod ImagePullBackOff: ImagePullBackOff for report`);
    expect(api.object("Job", NS, name)).toBeUndefined();
  });

  test("a scheduled job runs from its CronJob's template; a deploy hook's from its release's Job", async () => {
    await deployed();
    const tick = start(spec("tick", 13));
    expect(await tick.done).toEqual({ exitCode: 0 });
    expect(appliedJob(tick.name).spec.template.spec.containers[0].image).toBe(api.object("CronJob", NS, "tick")!.spec.jobTemplate.spec.template.spec.containers[0].image);
    const migrate = start(spec("migrate", 14));
    expect(await migrate.done).toEqual({ exitCode: 0 });
    expect(appliedJob(migrate.name).spec.template.spec.containers[0].image).toBe("acme/api:1");
  });

  test("a release the cluster does not have: one line saying what to do, nothing created", async () => {
    await deployed();
    await expect(runner.run({ ...spec("report", 15), release: 4 }, () => {}, new AbortController().signal)).rejects.toThrow(
      "job report: the cluster has no Job report-r4 in namespace berth-shop-prod to run a copy of (release 4 was not applied there, or its objects were removed): deploy the environment again",
    );
    expect(api.writes().filter((w) => w.includes("report-run15"))).toEqual([]);
  });
});

describe("removal", () => {
  test("removeRuns deletes those runs' Jobs by label; removeEnvironment every run's Job of the environment, not the release's own", async () => {
    await deployed();
    await deployed("dev");
    const client = createKubeClient(api.config);
    const source = api.object("Job", NS, "report-r1")!;
    // Runs a previous process left: their Jobs still in the cluster.
    for (const [environment, id] of [["prod", 21], ["prod", 22], ["dev", 23]] as const) {
      const namespace = `berth-shop-${environment}`;
      await client.apply({
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: jobRunName("report", id), namespace, labels: { "app.kubernetes.io/managed-by": "berth", "berth.project": "shop", "berth.environment": environment, [JOB_RUN_LABEL]: String(id) } },
        spec: { template: source.spec.template },
      });
    }
    expect(await runner.removeRuns([])).toBe(0);
    expect(await runner.removeRuns([{ runId: 21, project: "shop", environment: "prod" }])).toBe(1);
    expect(api.object("Job", NS, "report-run21")).toBeUndefined();
    expect(await runner.removeEnvironment("shop", "prod")).toBe(1);
    expect(api.objects("Job").map((j) => `${j.metadata.namespace}/${j.metadata.name}`).sort()).toEqual(["berth-shop-dev/migrate-r1", "berth-shop-dev/report-r1", "berth-shop-dev/report-run23", `${NS}/migrate-r1`, `${NS}/report-r1`]);
  });

  test("no runs to remove: the cluster is not called (serve starts before fleet init)", async () => {
    const offline = createK3sJobRunner(createKubeClient({ ...api.config, server: "https://127.0.0.1:1" }));
    expect(await offline.removeRuns([])).toBe(0);
    // With a run to remove it does call, and an unreachable cluster says so.
    await expect(offline.removeRuns([{ runId: 1, project: "shop", environment: "prod" }])).rejects.toThrow("connection refused");
  });
});

describe("a run's Job name", () => {
  test("<job>-run<id>; a long job name is cut and a hash of it added, so it stays within 63 characters and apart from its neighbours", () => {
    expect(jobRunName("report", 7)).toBe("report-run7");
    const long = `${"a".repeat(58)}-x`;
    const other = `${"a".repeat(58)}-y`;
    const name = jobRunName(long, 12345);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^a+-[0-9a-f]{8}-run12345$/);
    expect(jobRunName(other, 12345)).not.toBe(name);
    expect(jobRunName("b".repeat(54), 123)).toBe(`${"b".repeat(54)}-run123`);
  });
});
