// Fleet mode on the compiled binary: `berth serve` with runtime k3s deploys through the
// Kubernetes API of test/support/kube-api.ts (HTTPS with client certificates, run in this
// process), found by the kubeconfig where `fleet init` writes it. Images go by reference
// (fleetImages: reference): the fleet's registry is not what this test is about.
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { namespaceName } from "../src/adapters/runtime/k3s/names.ts";
import { kubeconfigPath } from "../src/core/fleet/init.ts";
import { freshBinary, startServe } from "./support/binary.ts";
import { type KubeApi, startKubeApi } from "./support/kube-api.ts";
import { eventually } from "./support/eventually.ts";
import { docker } from "./support/sh.ts";
import { loadTestEnv } from "./support/test-env.ts";

setDefaultTimeout(120_000);

const env = loadTestEnv();
const PROJECT = `fleetdep${crypto.randomUUID().slice(0, 6)}`;
const DEV = namespaceName(PROJECT, "dev");
const PROD = namespaceName(PROJECT, "prod");

let api: KubeApi;
let server: Awaited<ReturnType<typeof startServe>>;

const deploymentOf = (namespace: string, name: string) => api.object("Deployment", namespace, name);
const imageOf = (namespace: string, name: string) => deploymentOf(namespace, name)?.spec.template.spec.containers[0].image;
const statusJson = async (environment: string) => {
  const shown = await server.run(["status", PROJECT, environment, "--json"]);
  expect(shown.code).toBe(0);
  return JSON.parse(shown.stdout) as { stopped: boolean; live: number | null; release: { number: number; status: string; reason: string | null }; blocks: { name: string; state: string; ready: number; image: string | null }[] };
};

/** The routes the edge reads from the state database, as it reads them. */
function edgeRoutes(environment: string): { block: string; upstreams: { host: string; port: number }[] }[] {
  const db = new Database(join(server.dataDir, "berth.db"), { readonly: true });
  try {
    const rows = db.query("SELECT block, upstreams FROM edge_routes WHERE project = ? AND environment = ?").all(PROJECT, environment) as { block: string; upstreams: string }[];
    return rows.map((r) => ({ block: r.block, upstreams: JSON.parse(r.upstreams) }));
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  api = await startKubeApi();
  server = await startServe(["--no-edge"], { runtime: "k3s", fleetImages: "reference" });
  // Where `berth fleet init` leaves k3s's kubeconfig; serve reads it on the first cluster call.
  const kubeconfig = kubeconfigPath(server.dataDir);
  mkdirSync(dirname(kubeconfig), { recursive: true, mode: 0o700 });
  writeFileSync(kubeconfig, api.kubeconfig, { mode: 0o600 });
  const file = join(server.home, "berth.yaml");
  writeFileSync(
    file,
    `project: ${PROJECT}
blocks:
  web:
    kind: website
    image: ${env.images.busybox}
    command: [httpd, -f, -p, "8080"]
    port: 8080
    health: /
  worker:
    kind: worker
    image: ${env.images.busybox}
    command: [sleep, "3600"]
  migrate:
    kind: job
    image: ${env.images.busybox}
    command: [echo, migrated]
    trigger: pre-deploy
  report:
    kind: job
    image: ${env.images.busybox}
    command: [echo, reported]
    timeout: 2m
environments:
  dev: {}
  prod: {}
`,
  );
  expect((await server.run(["apply", "-f", file])).code).toBe(0);
});

afterAll(async () => {
  await server?.stop();
  api?.stop();
  // Nothing should run on the local engine; should something have, it goes.
  const ids = docker(["ps", "-aq", "--filter", `label=berth.project=${PROJECT}`]).out.split("\n").filter(Boolean);
  if (ids.length) docker(["rm", "-f", ...ids]);
});

describe("fleet mode", () => {
  test("a deploy applies the release to the cluster; once the rollout is ready it is live and the edge routes to the Service", async () => {
    // The controller has not seen the new generation, then no pod is ready, then all are.
    api.scriptRollout(DEV, "web", [{ stale: true }, { ready: 0 }, {}]);
    const deployed = await server.run(["deploy", PROJECT, "dev"]);
    expect(deployed.stderr).toBe("");
    expect(deployed.code).toBe(0);
    expect(deployed.stdout).toContain("pre-deploy job migrate: running as Job migrate-r1");
    expect(deployed.stdout).toContain("pre-deploy job migrate: succeeded");

    const applies = api.requests.filter((r) => r.method === "PATCH");
    expect(applies.length).toBeGreaterThan(0);
    for (const apply of applies) {
      expect(apply.contentType).toBe("application/apply-patch+yaml");
      expect(apply.query).toMatchObject({ fieldManager: "berth", force: "true" });
      expect(apply.path === `/api/v1/namespaces/${DEV}` || apply.path.includes(`/namespaces/${DEV}/`)).toBe(true);
    }
    const paths = applies.map((r) => r.path);
    // The pre-deploy Job first, the Deployments after it.
    expect(paths.indexOf(`/apis/batch/v1/namespaces/${DEV}/jobs/migrate-r1`)).toBeGreaterThan(-1);
    expect(paths.indexOf(`/apis/batch/v1/namespaces/${DEV}/jobs/migrate-r1`)).toBeLessThan(paths.indexOf(`/apis/apps/v1/namespaces/${DEV}/deployments/web`));
    expect(imageOf(DEV, "web")).toBe(env.images.busybox);
    expect(imageOf(DEV, "worker")).toBe(env.images.busybox);
    // The pre-deploy job ran in the cluster only: Berth's job runner recorded no run, and nothing runs on the local engine.
    const runs = await server.run(["job", "runs", PROJECT, "dev", "--json"]);
    expect(runs.code).toBe(0);
    expect(JSON.parse(runs.stdout)).toEqual([]);
    expect(docker(["ps", "-aq", "--filter", `label=berth.project=${PROJECT}`]).out.trim()).toBe("");

    const status = await statusJson("dev");
    expect(status.live).toBe(1);
    expect(status.release).toMatchObject({ number: 1, status: "deployed" });
    expect(status.blocks.map((b) => `${b.name}:${b.state}:${b.ready}`).sort()).toEqual(["web:running:1", "worker:running:1"]);
    const clusterIP = api.object("Service", DEV, "web")!.spec.clusterIP as string;
    expect(clusterIP).toMatch(/^10\.43\./);
    expect(edgeRoutes("dev")).toEqual([{ block: "web", upstreams: [{ host: clusterIP, port: 8080 }] }]);
  });

  test("berth logs prints what a block's pods wrote, read from the cluster; -f shows a line written later", async () => {
    // Written to the pod's log: serve's collector follows every Berth pod of the cluster.
    api.appendLogs(DEV, "worker", ["worker starting", "worker: 3 queues"]);
    let shown = "";
    await eventually(
      async () => {
        const result = await server.run(["logs", PROJECT, "dev", "worker"]);
        shown = `${result.stdout}${result.stderr}`;
        return result.code === 0 && result.stdout.includes("worker: 3 queues");
      },
      30_000,
      `berth logs shows the worker's lines (last answer: ${JSON.stringify(shown)})`,
    );
    const lines = shown.split("\n").filter(Boolean);
    expect(lines.filter((l) => l.endsWith("worker starting") || l.endsWith("worker: 3 queues")).length).toBe(2);
    expect(lines.findIndex((l) => l.endsWith("worker starting"))).toBeLessThan(lines.findIndex((l) => l.endsWith("worker: 3 queues")));
    // Each pod is followed once, with times, through the pod log endpoint.
    const follows = api.requests.filter((r) => r.path.startsWith(`/api/v1/namespaces/${DEV}/pods/worker-`) && r.path.endsWith("/log"));
    expect(follows.length).toBeGreaterThan(0);
    expect(follows[0]!.query).toMatchObject({ follow: "true", timestamps: "true", container: "worker" });
    // The pre-deploy job's pod is no block's: its lines are not collected.
    expect(api.requests.some((r) => r.path.includes("/pods/migrate-") && r.query.follow === "true")).toBe(false);

    const follow = Bun.spawn([freshBinary(), "logs", PROJECT, "dev", "worker", "-f", "--config", join(server.home, "config.yaml")], { env: server.env, stdout: "pipe", stderr: "pipe" });
    const printed = collect(follow.stdout);
    try {
      await eventually(() => printed().includes("worker: 3 queues"), 15_000, "berth logs -f prints the stored lines");
      api.appendLogs(DEV, "worker", ["sent 1 message"]);
      await eventually(() => printed().includes("sent 1 message"), 15_000, "berth logs -f prints a line written later");
      expect(printed().split("sent 1 message").length).toBe(2);
    } finally {
      follow.kill();
      await follow.exited;
    }
  });

  test("a promote applies the same images in the other environment's namespace, with no build", async () => {
    const from = api.requests.length;
    const promoted = await server.run(["promote", PROJECT, "dev", "prod"]);
    expect(promoted.stderr).toBe("");
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toContain("its images, no build");
    const applies = api.requests.slice(from).filter((r) => r.method === "PATCH");
    expect(applies.some((r) => r.path === `/apis/apps/v1/namespaces/${PROD}/deployments/web`)).toBe(true);
    expect(applies.every((r) => r.path === `/api/v1/namespaces/${PROD}` || r.path.includes(`/namespaces/${PROD}/`))).toBe(true);
    // A promote brings the images into prod for the first time: its pre-deploy job runs there.
    expect(applies.some((r) => r.path === `/apis/batch/v1/namespaces/${PROD}/jobs/migrate-r1`)).toBe(true);
    expect(imageOf(PROD, "web")).toBe(imageOf(DEV, "web"));
    const builds = await server.run(["builds", PROJECT, "--json"]);
    expect(builds.code).toBe(0);
    expect(JSON.parse(builds.stdout)).toEqual([]);
    expect((await statusJson("prod")).release).toMatchObject({ number: 1, status: "deployed" });
  });

  test("a rollout that crash-loops fails the release with the pod's lines; the live release keeps serving", async () => {
    const clusterIP = api.object("Service", DEV, "web")!.spec.clusterIP as string;
    // A new variable is a new Secret, so a new pod template: the new pods crash, the old ones come back.
    expect((await server.run(["vars", "set", PROJECT, "dev", "web", "GREETING=hello"])).code).toBe(0);
    api.scriptRollout(DEV, "web", [{ waiting: "CrashLoopBackOff", restarts: 2 }, {}]);
    api.setLogs(DEV, "web", ["starting", "httpd: bind: Address in use"]);
    const failed = await server.run(["deploy", PROJECT, "dev"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^error: release 2 failed: web: pod web-[0-9a-f]{8}-0 CrashLoopBackOff; last log lines: starting \| httpd: bind: Address in use\n/);
    const status = await statusJson("dev");
    expect(status.live).toBe(1);
    expect(status.release).toMatchObject({ number: 2, status: "failed" });
    expect(deploymentOf(DEV, "web")!.metadata.labels["berth.release"]).toBe("1");
    expect(edgeRoutes("dev")).toEqual([{ block: "web", upstreams: [{ host: clusterIP, port: 8080 }] }]);
  });

  test("berth job run -f runs a copy of the live release's manual Job in the cluster and prints its pod's lines as they come", async () => {
    // The first run Berth records: its Job is report-run1 (the deploy hooks above ran in the cluster, as no run).
    const job = "report-run1";
    api.scriptJob(DEV, job, ["running"]);
    api.setLogs(DEV, job, ["report: starting"]);
    const follow = Bun.spawn([freshBinary(), "job", "run", PROJECT, "dev", "report", "-f", "--env", "LIMIT=5", "--config", join(server.home, "config.yaml")], { env: server.env, stdout: "pipe", stderr: "pipe" });
    const printed = collect(follow.stdout);
    try {
      await eventually(() => printed().includes("report: starting"), 30_000, `the run prints its pod's first line (so far: ${JSON.stringify(printed())})`);
      api.appendLogs(DEV, job, ["report: 3 rows"]);
      await eventually(() => printed().includes("report: 3 rows"), 15_000, "a line the pod writes later is printed");
      api.scriptJob(DEV, job, [{ exit: 0 }]);
      expect(await follow.exited).toBe(0);
    } finally {
      follow.kill();
    }
    expect(printed().split("\n").filter(Boolean)).toEqual(["report: starting", "report: 3 rows", "run #1 succeeded"]);

    // The Job was a copy of release 1's suspended one, with the run's variable set on its container; it is gone now.
    const applied = api.requests.find((r) => r.method === "PATCH" && r.path === `/apis/batch/v1/namespaces/${DEV}/jobs/${job}`);
    const copy = JSON.parse(applied!.body);
    const source = api.object("Job", DEV, "report-r1")!;
    expect(source.spec.suspend).toBe(true);
    expect(copy.spec.suspend).toBeUndefined();
    expect(copy.spec.template.spec.containers[0].image).toBe(source.spec.template.spec.containers[0].image);
    expect(copy.spec.template.spec.containers[0].envFrom).toEqual(source.spec.template.spec.containers[0].envFrom);
    expect(copy.spec.template.spec.containers[0].env).toEqual([{ name: "LIMIT", value: "5" }]);
    expect(copy.metadata.labels["berth.job-run"]).toBe("1");
    expect(api.object("Job", DEV, job)).toBeUndefined();
    // Nothing ran on the local engine.
    expect(docker(["ps", "-aq", "--filter", `label=berth.project=${PROJECT}`]).out.trim()).toBe("");
  });

  test("a failing run: --wait exits 1 naming the container's exit code; berth job runs and job log show it", async () => {
    api.scriptJob(DEV, "report-run2", ["running", { exit: 3 }]);
    api.setLogs(DEV, "report-run2", ["report: no database"]);
    const run = await server.run(["job", "run", PROJECT, "dev", "report", "--wait"]);
    expect(run.stderr).toBe("error: job run #2 of report failed with exit code 3\n");
    expect(run.code).toBe(1);
    const log = await server.run(["job", "log", "2"]);
    expect(log.code).toBe(0);
    expect(log.stdout).toBe("report: no database\nrun #2 failed: exit 3\n");
    const runs = await server.run(["job", "runs", PROJECT, "dev", "--json"]);
    expect(runs.code).toBe(0);
    expect((JSON.parse(runs.stdout) as { id: number; job: string; trigger: string; release: number; status: string; exitCode: number | null }[]).map((r) => ({ id: r.id, job: r.job, trigger: r.trigger, release: r.release, status: r.status, exitCode: r.exitCode }))).toEqual([
      { id: 2, job: "report", trigger: "manual", release: 1, status: "failed", exitCode: 3 },
      { id: 1, job: "report", trigger: "manual", release: 1, status: "succeeded", exitCode: 0 },
    ]);
  });

  test("cancelling a run deletes its Job in the cluster; the run is cancelled", async () => {
    api.scriptJob(DEV, "report-run3", ["running"]);
    const started = await server.run(["job", "run", PROJECT, "dev", "report", "--json"]);
    expect(started.code).toBe(0);
    expect(JSON.parse(started.stdout).id).toBe(3);
    await eventually(() => api.object("Job", DEV, "report-run3") !== undefined, 15_000, "the run's Job is in the cluster");
    const cancelled = await server.run(["job", "cancel", "3"]);
    expect(cancelled.stderr).toBe("");
    expect(cancelled.code).toBe(0);
    await eventually(
      async () => {
        const runs = JSON.parse((await server.run(["job", "runs", PROJECT, "dev", "--json"])).stdout) as { id: number; status: string; exitCode: number | null }[];
        return runs.some((r) => r.id === 3 && r.status === "cancelled" && r.exitCode === 137);
      },
      15_000,
      "run 3 is cancelled with the kill's exit code",
    );
    expect(api.requests.some((r) => r.method === "DELETE" && r.path === `/apis/batch/v1/namespaces/${DEV}/jobs/report-run3`)).toBe(true);
    expect(api.object("Job", DEV, "report-run3")).toBeUndefined();
  });

  test("env stop scales the Deployments to 0 and keeps them; env start brings the replicas back", async () => {
    const from = api.requests.length;
    const stopped = await server.run(["env", "stop", PROJECT, "dev"]);
    expect(stopped.stderr).toBe("");
    expect(stopped.code).toBe(0);
    const writes = api.requests.slice(from).filter((r) => r.method !== "GET");
    expect(writes.map((r) => `${r.method} ${r.path} ${r.query.fieldManager}`).sort()).toEqual(
      ["web", "worker"].map((d) => `PATCH /apis/apps/v1/namespaces/${DEV}/deployments/${d} berth-stop`),
    );
    expect(deploymentOf(DEV, "web")!.spec.replicas).toBe(0);
    expect(deploymentOf(DEV, "worker")!.spec.replicas).toBe(0);
    expect(api.object("Service", DEV, "web")).toBeDefined();
    const status = await statusJson("dev");
    expect(status.stopped).toBe(true);
    expect(status.blocks.map((b) => `${b.name}:${b.state}`).sort()).toEqual(["web:stopped", "worker:stopped"]);
    expect(edgeRoutes("dev")).toEqual([{ block: "web", upstreams: [] }]);
    // prod runs on.
    expect(deploymentOf(PROD, "web")!.spec.replicas).toBe(1);

    const started = await server.run(["env", "start", PROJECT, "dev"]);
    expect(started.stderr).toBe("");
    expect(started.code).toBe(0);
    expect(deploymentOf(DEV, "web")!.spec.replicas).toBe(1);
    const back = await statusJson("dev");
    expect(back.stopped).toBe(false);
    expect(back.blocks.map((b) => `${b.name}:${b.state}`).sort()).toEqual(["web:running", "worker:running"]);
  });

  test("scale sets the Deployment's replicas; restart annotates its pod template; neither runs the pre-deploy job again", async () => {
    const from = api.requests.length;
    const scaled = await server.run(["scale", PROJECT, "dev", "web=3"]);
    expect(scaled.stderr).toBe("");
    expect(scaled.code).toBe(0);
    expect(deploymentOf(DEV, "web")!.spec.replicas).toBe(3);
    const restarted = await server.run(["restart", PROJECT, "dev", "worker"]);
    expect(restarted.stderr).toBe("");
    expect(restarted.code).toBe(0);
    expect(deploymentOf(DEV, "worker")!.spec.template.metadata.annotations["berth.restarted-at"]).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(api.requests.slice(from).some((r) => r.method === "PATCH" && r.path.includes("/jobs/migrate-"))).toBe(false);
    expect((await statusJson("dev")).blocks.find((b) => b.name === "web")).toMatchObject({ state: "running", ready: 3 });
  });

  test("deleting an environment deletes its objects in the cluster and leaves the other's", async () => {
    const deleted = await server.run(["env", "delete", PROJECT, "prod", "--yes"]);
    expect(deleted.stderr).toBe("");
    expect(deleted.code).toBe(0);
    expect(api.objects().filter((o) => o.metadata.namespace === PROD && o.kind !== "PersistentVolumeClaim")).toEqual([]);
    expect(api.requests.some((r) => r.method === "DELETE" && r.path === `/apis/apps/v1/namespaces/${PROD}/deployments/web`)).toBe(true);
    expect(deploymentOf(DEV, "web")).toBeDefined();
  });
});

describe("fleet mode without a registry", () => {
  test("a deploy fails in one line saying so, and nothing reaches a cluster or the local engine", async () => {
    const bare = await startServe(["--no-edge"], { runtime: "k3s" });
    try {
      // The same recording cluster, so that a write reaching it would show.
      const kubeconfig = kubeconfigPath(bare.dataDir);
      mkdirSync(dirname(kubeconfig), { recursive: true, mode: 0o700 });
      writeFileSync(kubeconfig, api.kubeconfig, { mode: 0o600 });
      const from = api.requests.length;
      const file = join(bare.home, "berth.yaml");
      writeFileSync(file, `project: ${PROJECT}\nblocks:\n  worker:\n    kind: worker\n    image: ${env.images.busybox}\n    command: [sleep, "3600"]\nenvironments:\n  dev: {}\n`);
      expect((await bare.run(["apply", "-f", file])).code).toBe(0);
      const deployed = await bare.run(["deploy", PROJECT, "dev"]);
      expect(deployed.code).toBe(1);
      expect(deployed.stderr).toBe("error: release 1 failed: fleet mode has no registry running for the release's images: run berth fleet init (serve starts the registry at boot after it; its log says why it did not), or set fleetImages: reference to have nodes pull each image by its own reference\n");
      expect(api.requests.slice(from).filter((r) => r.method !== "GET")).toEqual([]);
      expect(docker(["ps", "-aq", "--filter", `label=berth.project=${PROJECT}`]).out.trim()).toBe("");
    } finally {
      await bare.stop();
    }
  });
});

/** What a process has printed so far on a stream, read as it comes. */
function collect(stream: ReadableStream<Uint8Array>): () => string {
  let text = "";
  void (async () => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) text += decoder.decode(read.value, { stream: true });
  })();
  return () => text;
}
