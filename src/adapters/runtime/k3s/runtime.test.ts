import { afterEach, beforeAll, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { type KubeApi, type Pki, startKubeApi, testPki } from "../../../../test/support/kube-api.ts";
import { fleetPlan } from "../../../core/fleet/fleet-plan.ts";
import { parseProjectFile } from "../../../core/project-file/parse.ts";
import { resolveBlock } from "../../../core/project-file/resolve.ts";
import type { FleetPlan } from "../../../ports/fleet.ts";
import type { ReleaseBlock } from "../../../ports/release-store.ts";
import type { ApplyHooks, EnvironmentRef, Runtime, Upstream } from "../../../ports/runtime.ts";
import { createKubeClient } from "./kube-client.ts";
import { manifestObjects } from "./manifests.ts";
import { RESTART_MANAGER, RESTARTED_AT, STOP_MANAGER, asFleetPlan, createK3sRuntime } from "./runtime.ts";

const file = parseProjectFile(`
project: shop
blocks:
  web: { kind: website, image: acme/web:1, port: 8080, health: /healthz, replicas: 2 }
  api: { kind: microservice, image: acme/api:1, port: 3000, expose: internal }
  db: { kind: service, image: acme/pg:16, port: 5432, volumes: { /data: 1Gi } }
  mailer: { kind: worker, image: acme/mailer:1 }
  migrate: { kind: job, image: acme/api:1, command: [migrate], trigger: pre-deploy, timeout: 1m }
  notify: { kind: job, image: acme/notify:1, trigger: post-deploy }
  tick: { kind: job, image: acme/tick:1, schedule: "*/5 * * * *" }
environments:
  prod:
  eu-prod:
`);
const NS = "berth-shop-prod";

// An apply is some forty HTTPS requests: on a loaded machine that is more than bun's default 5 s (the lanes give 30 s).
setDefaultTimeout(30_000);

/** Release N of an environment as a deploy in fleet mode would hand it over. */
function plan(release: number, change: { images?: Record<string, string>; without?: string[]; environment?: string } = {}): FleetPlan {
  const environment = change.environment ?? "prod";
  const blocks: ReleaseBlock[] = Object.keys(file.blocks)
    .filter((name) => !change.without?.includes(name))
    .map((name) => {
      const spec = resolveBlock(file, environment, name);
      const image = change.images?.[name] ?? spec.image!;
      return { name, image, imageId: `sha256:${Bun.hash(image).toString(16)}`, commit: null, spec: { ...spec, image } };
    });
  return fleetPlan({ project: "shop", environment, release, blocks, variablesOf: (b) => ({ env: { ROLE: b.name }, fingerprint: `fp-${b.name}`, dependsOn: [] }) });
}

function recorder() {
  const lines: string[] = [];
  const switches: { block: string; upstreams: Upstream[] }[] = [];
  const hooks: ApplyHooks = {
    log: (line) => void lines.push(line),
    switchTraffic: async (block, upstreams) => void switches.push({ block, upstreams }),
  };
  return { hooks, lines, switches };
}

let pki: Pki;
let api: KubeApi;
let runtime: Runtime;
beforeAll(async () => {
  pki = await testPki();
});
beforeEach(async () => {
  api = await startKubeApi({ pki });
  runtime = createK3sRuntime({ client: createKubeClient(api.config) }, { pollMs: 1, rolloutTimeoutMs: 5_000, now: () => new Date("2026-03-01T10:00:00Z") });
});
afterEach(() => api.stop());

const writesSince = (from: number) => api.requests.slice(from).filter((r) => r.method !== "GET");
const deploymentImage = (name: string) => api.object("Deployment", NS, name)?.spec.template.spec.containers[0].image;

describe("apply", () => {
  test("every object goes by server-side apply as field manager berth, to its kind's path", async () => {
    const { hooks } = recorder();
    await runtime.apply(plan(1), hooks);
    const patches = api.requests.filter((r) => r.method === "PATCH");
    expect(patches.length).toBe(manifestObjects(plan(1)).length);
    for (const patch of patches) {
      expect(patch.contentType).toBe("application/apply-patch+yaml");
      expect(patch.query).toEqual({ fieldManager: "berth", force: "true" });
    }
    const paths = patches.map((r) => r.path);
    expect(paths).toContain("/api/v1/namespaces/berth-shop-prod");
    expect(paths).toContain("/api/v1/namespaces/berth-shop-prod/services/web");
    expect(paths).toContain("/apis/apps/v1/namespaces/berth-shop-prod/deployments/web");
    expect(paths).toContain("/apis/batch/v1/namespaces/berth-shop-prod/jobs/migrate-r1");
    expect(paths).toContain("/apis/networking.k8s.io/v1/namespaces/berth-shop-prod/networkpolicies/edge-to-web");
    expect(paths.some((p) => /^\/api\/v1\/namespaces\/berth-shop-prod\/persistentvolumeclaims\/db-data-[0-9a-f]{8}$/.test(p))).toBe(true);
    expect(paths.some((p) => /^\/api\/v1\/namespaces\/berth-shop-prod\/secrets\/web-env-/.test(p))).toBe(true);
    // The internal microservice is not reachable from the edge.
    expect(paths).not.toContain("/apis/networking.k8s.io/v1/namespaces/berth-shop-prod/networkpolicies/edge-to-api");
    // What is sent is what the renderer made.
    const bodies = patches.map((r) => JSON.parse(r.body));
    expect(bodies.sort(byPath)).toEqual(manifestObjects(plan(1)).sort(byPath) as never);
  });

  test("the pre-deploy Job runs first with its Secret only; the post-deploy Job after every rollout", async () => {
    const { hooks } = recorder();
    await runtime.apply(plan(1), hooks);
    const writes = api.writes();
    expect(writes[0]).toBe("PATCH /api/v1/namespaces/berth-shop-prod");
    expect(writes[1]).toMatch(/^PATCH \/api\/v1\/namespaces\/berth-shop-prod\/secrets\/migrate-env-/);
    expect(writes[2]).toBe("PATCH /apis/batch/v1/namespaces/berth-shop-prod/jobs/migrate-r1");
    const postDeploy = writes.indexOf("PATCH /apis/batch/v1/namespaces/berth-shop-prod/jobs/notify-r1");
    const lastRolloutRead = api.requests.findLastIndex((r) => r.method === "GET" && r.path.includes("/deployments/"));
    expect(postDeploy).toBe(writes.length - 1);
    expect(api.requests.findIndex((r) => r.path.endsWith("/jobs/notify-r1"))).toBeGreaterThan(lastRolloutRead);
  });

  test("healthy blocks switch traffic to their Service's cluster address", async () => {
    const { hooks, switches } = recorder();
    const outcomes = await runtime.apply(plan(1), hooks);
    expect(outcomes.map((o) => [o.block, o.ok]).sort()).toEqual([
      ["api", true],
      ["db", true],
      ["mailer", true],
      ["web", true],
    ]);
    const web = outcomes.find((o) => o.block === "web")!;
    const clusterIP = api.object("Service", NS, "web")!.spec.clusterIP;
    expect(web.upstreams).toEqual([{ host: clusterIP, port: 8080 }]);
    expect(web.containers).toHaveLength(2);
    expect(switches.find((s) => s.block === "web")?.upstreams).toEqual([{ host: clusterIP, port: 8080 }]);
    expect(switches.find((s) => s.block === "mailer")?.upstreams).toEqual([]);
  });

  test("a second apply of the same plan sends the same bodies, makes no new Job, switches and prunes nothing", async () => {
    await runtime.apply(plan(1), recorder().hooks);
    const first = api.requests.filter((r) => r.method === "PATCH").map((r) => `${r.path} ${r.body}`);
    const jobs = api.objects("Job").map((j) => j.metadata.uid);
    const from = api.requests.length;
    const { hooks, switches } = recorder();
    const outcomes = await runtime.apply(plan(1), hooks);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const again = writesSince(from);
    expect(again.map((r) => `${r.path} ${r.body}`)).toEqual(first);
    expect(again.every((r) => r.method === "PATCH")).toBe(true);
    expect(api.objects("Job").map((j) => j.metadata.uid)).toEqual(jobs);
    expect(switches).toEqual([]);
  });

  test("a prune leaves the Jobs of berth job runs, ended or not: their runner reads the end and deletes them", async () => {
    await runtime.apply(plan(1), recorder().hooks);
    const client = createKubeClient(api.config);
    const template = api.object("Job", NS, "migrate-r1")!.spec.template;
    for (const [name, id] of [["report-run1", "1"], ["report-run2", "2"]] as const) {
      const labels = { "app.kubernetes.io/managed-by": "berth", "berth.project": "shop", "berth.environment": "prod", "berth.job-run": id };
      await client.apply({ apiVersion: "batch/v1", kind: "Job", metadata: { name, namespace: NS, labels }, spec: { template } });
    }
    // Run 1's Job is not seen by the controller yet (no pod counted active); run 2's has ended.
    api.scriptJob(NS, "report-run1", ["created"]);
    await runtime.apply(plan(2, { images: { web: "acme/web:2" } }), recorder().hooks);
    expect(api.object("Job", NS, "report-run1")).toBeDefined();
    expect(api.object("Job", NS, "report-run2")).toBeDefined();
  });

  test("the next release prunes what it no longer has, and keeps the volume's claim", async () => {
    await runtime.apply(plan(1), recorder().hooks);
    const oldWebSecret = api.objects("Secret").find((s) => s.metadata.name.startsWith("web-env-"))!.metadata.name;
    const claim = api.objects("PersistentVolumeClaim")[0]!.metadata.name;
    const { hooks, switches } = recorder();
    const outcomes = await runtime.apply(plan(2, { images: { web: "acme/web:2" }, without: ["mailer", "db"] }), hooks);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(deploymentImage("web")).toBe("acme/web:2");
    expect(switches.map((s) => s.block)).toEqual(["web"]);
    const deletes = api.writes().filter((w) => w.startsWith("DELETE"));
    expect(deletes).toContain("DELETE /apis/apps/v1/namespaces/berth-shop-prod/deployments/mailer");
    expect(deletes).toContain("DELETE /apis/apps/v1/namespaces/berth-shop-prod/deployments/db");
    expect(deletes).toContain("DELETE /api/v1/namespaces/berth-shop-prod/services/db");
    expect(deletes).toContain(`DELETE /api/v1/namespaces/berth-shop-prod/secrets/${oldWebSecret}`);
    expect(deletes).toContain("DELETE /apis/batch/v1/namespaces/berth-shop-prod/jobs/migrate-r1");
    expect(deletes.some((d) => d.includes("persistentvolumeclaims"))).toBe(false);
    expect(api.object("PersistentVolumeClaim", NS, claim)).toBeDefined();
    expect(api.objects("Job").map((j) => j.metadata.name).sort()).toEqual(["migrate-r2", "notify-r2"]);
    expect(api.object("CronJob", NS, "tick")!.metadata.labels["berth.release"]).toBe("2");
  });

  test("a restart annotates the pod template under its own field manager", async () => {
    await runtime.apply(plan(1), recorder().hooks);
    await runtime.apply({ ...plan(1), restart: ["web"] }, recorder().hooks);
    const restart = api.requests.find((r) => r.query.fieldManager === RESTART_MANAGER)!;
    expect(restart.path).toBe("/apis/apps/v1/namespaces/berth-shop-prod/deployments/web");
    expect(JSON.parse(restart.body).spec).toEqual({ template: { metadata: { annotations: { [RESTARTED_AT]: "2026-03-01T10:00:00.000Z" } } } });
    expect(api.object("Deployment", NS, "web")!.spec.template.metadata.annotations[RESTARTED_AT]).toBe("2026-03-01T10:00:00.000Z");
  });

  test("a namespace of another project and environment under the same name is refused", async () => {
    api.seed({ apiVersion: "v1", kind: "Namespace", metadata: { name: "berth-shop-eu-prod", labels: { "berth.project": "shop-eu", "berth.environment": "prod" } } });
    await expect(runtime.apply(plan(1, { environment: "eu-prod" }), recorder().hooks)).rejects.toThrow(
      "namespace berth-shop-eu-prod belongs to project shop-eu, environment prod, not to shop/eu-prod",
    );
    expect(api.writes()).toEqual([]);
  });

  test("a docker plan (no routed blocks, no jobs) is refused", () => {
    const { jobs: _jobs, ...docker } = plan(1);
    expect(() => asFleetPlan({ ...docker, blocks: docker.blocks.map(({ routed: _routed, ...b }) => b) })).toThrow(
      "shop/prod: the k3s runtime needs the release's fleet plan (routed blocks and jobs), not a docker plan",
    );
  });
});

describe("rollout decisions", () => {
  test("a rollout the controller has not seen, then half ready, then done: healthy", async () => {
    await runtime.apply(plan(1), recorder().hooks);
    api.scriptRollout(NS, "web", [{ stale: true }, { ready: 1, updated: 1 }, { ready: 2, updated: 2 }]);
    const { hooks, switches } = recorder();
    const outcomes = await runtime.apply(plan(2, { images: { web: "acme/web:2" } }), hooks);
    expect(outcomes.find((o) => o.block === "web")).toMatchObject({ ok: true });
    expect(switches.map((s) => s.block)).toEqual(["web"]);
    const reads = api.requests.filter((r) => r.method === "GET" && r.path.endsWith("/deployments/web"));
    expect(reads.length).toBeGreaterThanOrEqual(3);
  });

  test.each(["CrashLoopBackOff", "ImagePullBackOff"])("%s: the block fails with its pod's last lines and its previous objects come back", async (reason) => {
    await runtime.apply(plan(1), recorder().hooks);
    const clusterIP = api.object("Service", NS, "web")!.spec.clusterIP;
    api.scriptRollout(NS, "web", [{ ready: 1, updated: 1 }, { waiting: reason, restarts: 2 }]);
    api.setLogs(NS, "web", ["starting", "listening on 8080", "panic: DATABASE_URL is not set"]);
    const { hooks, switches, lines } = recorder();
    const outcomes = await runtime.apply(plan(2, { images: { web: "acme/web:2" } }), hooks);
    const web = outcomes.find((o) => o.block === "web")!;
    expect(web.ok).toBe(false);
    expect(web.reason).toMatch(new RegExp(`^web: pod web-[0-9a-f]{8}-0 ${reason}; last log lines: starting \\| listening on 8080 \\| panic: DATABASE_URL is not set$`));
    expect(web.upstreams).toEqual([{ host: clusterIP, port: 8080 }]);
    // The previous release's Deployment is back, and nothing was switched to the new one or pruned.
    expect(deploymentImage("web")).toBe("acme/web:1");
    expect(api.object("Deployment", NS, "web")!.metadata.labels["berth.release"]).toBe("1");
    expect(switches.map((s) => s.block)).not.toContain("web");
    expect(lines).toContain("web: the previous release's objects are applied again");
    expect(api.writes().some((w) => w.startsWith("DELETE"))).toBe(false);
    expect(api.writes()).not.toContain("PATCH /apis/batch/v1/namespaces/berth-shop-prod/jobs/notify-r2");
    expect(outcomes.filter((o) => o.block !== "web").every((o) => o.ok)).toBe(true);
  });

  test("a release that fixes a crash-looping block rolls out while the old pods still crash", async () => {
    api.scriptRollout(NS, "web", [{ waiting: "CrashLoopBackOff", restarts: 3 }]);
    const first = await runtime.apply(plan(1), recorder().hooks);
    expect(first.find((o) => o.block === "web")?.ok).toBe(false);
    const crashing = (await createKubeClient(api.config).list("Pod", NS, { "berth.block": "web" })).map((p) => p.metadata.name);
    // The fix rolls out one pod at a time (maxUnavailable 0): the old ReplicaSet's pods crash on until the new ones are ready.
    api.scriptRollout(NS, "web", [{ stale: true }, { ready: 1, updated: 1 }, { ready: 2, updated: 2 }]);
    const { hooks, switches } = recorder();
    const outcomes = await runtime.apply(plan(2, { images: { web: "acme/web:2" } }), hooks);
    const web = outcomes.find((o) => o.block === "web")!;
    expect(web).toMatchObject({ ok: true });
    expect(switches.map((s) => s.block)).toContain("web");
    expect(web.containers).toHaveLength(2);
    expect(web.containers.some((name) => crashing.includes(name))).toBe(false);
    // The old pods were listed beside the new ones while it rolled.
    const podLists = api.requests.filter((r) => r.method === "GET" && r.path.endsWith("/pods") && r.query.labelSelector?.includes("berth.block=web"));
    expect(podLists.length).toBeGreaterThanOrEqual(2);
  });

  test("a condition from the previous rollout is not read before the controller has seen the new generation", async () => {
    const deadline = { type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: 'ReplicaSet "web-5d9c" has timed out progressing.' };
    api.scriptRollout(NS, "web", [{ waiting: "CrashLoopBackOff", condition: deadline }]);
    await runtime.apply(plan(1), recorder().hooks);
    api.scriptRollout(NS, "web", [{ stale: true, ready: 0, updated: 0, condition: deadline }, { ready: 2, updated: 2 }]);
    const outcomes = await runtime.apply(plan(2, { images: { web: "acme/web:2" } }), recorder().hooks);
    expect(outcomes.find((o) => o.block === "web")).toMatchObject({ ok: true });
  });

  test("an API error while one block rolls out fails that block only, and puts it back", async () => {
    await runtime.apply(plan(1), recorder().hooks);
    api.refuse("GET", "/apis/apps/v1/namespaces/berth-shop-prod/deployments/api", 500, "InternalError", "etcdserver: request timed out");
    const { hooks, lines, switches } = recorder();
    const outcomes = await runtime.apply(plan(2, { images: { api: "acme/api:2", web: "acme/web:2" } }), hooks);
    expect(outcomes.find((o) => o.block === "api")).toMatchObject({
      ok: false,
      reason: "api: get Deployment berth-shop-prod/api: the API answered 500: InternalError: etcdserver: request timed out",
      upstreams: [{ host: api.object("Service", NS, "api")!.spec.clusterIP, port: 3000 }],
    });
    expect(deploymentImage("api")).toBe("acme/api:1");
    expect(lines).toContain("api: the previous release's objects are applied again");
    expect(outcomes.filter((o) => o.block !== "api").every((o) => o.ok)).toBe(true);
    expect(switches.map((s) => s.block)).toEqual(["web"]);
    // A failed block fails the release: nothing pruned, no post-deploy Job.
    expect(api.writes().some((w) => w.startsWith("DELETE"))).toBe(false);
    expect(api.object("Job", NS, "notify-r2")).toBeUndefined();
  });

  test("an object the API refuses partway through the apply: the blocks applied so far are put back, every block fails naming it", async () => {
    await runtime.apply(plan(1), recorder().hooks);
    const refusal = 'Deployment.apps "web" is invalid: spec.selector: Invalid value: field is immutable';
    api.refuse("PATCH", "/apis/apps/v1/namespaces/berth-shop-prod/deployments/web", 422, "Invalid", refusal);
    const { hooks, switches } = recorder();
    const outcomes = await runtime.apply(plan(2, { images: { api: "acme/api:2", web: "acme/web:2" } }), hooks);
    const reason = `apply Deployment berth-shop-prod/web: the API answered 422: Invalid: ${refusal}`;
    expect(outcomes.map((o) => [o.block, o.ok, o.reason])).toEqual(plan(2).blocks.map((b) => [b.block, false, reason]));
    // api's Deployment was applied before web's (name order): it is release 1's again.
    expect(deploymentImage("api")).toBe("acme/api:1");
    expect(api.object("Deployment", NS, "api")!.metadata.labels["berth.release"]).toBe("1");
    expect(outcomes.find((o) => o.block === "web")!.upstreams).toEqual([{ host: api.object("Service", NS, "web")!.spec.clusterIP, port: 8080 }]);
    expect(switches).toEqual([]);
    expect(api.writes().some((w) => w.startsWith("DELETE"))).toBe(false);
  });

  test.each([["this process", false], ["a restarted process", true]])("a failed block is put back as Berth applied it (%s): the restart annotation stays the restart manager's, and the restored rollout is waited for", async (_, fresh) => {
    await runtime.apply(plan(1), recorder().hooks);
    await runtime.apply({ ...plan(1), restart: ["web"] }, recorder().hooks);
    const restoring = fresh ? createK3sRuntime({ client: createKubeClient(api.config) }, { pollMs: 1, rolloutTimeoutMs: 5_000 }) : runtime;
    api.scriptRollout(NS, "web", [{ waiting: "CrashLoopBackOff", restarts: 1 }, { ready: 2, updated: 2 }]);
    const from = api.requests.length;
    const { hooks, lines } = recorder();
    const outcomes = await restoring.apply(plan(2, { images: { web: "acme/web:2" } }), hooks);
    expect(outcomes.find((o) => o.block === "web")?.ok).toBe(false);
    const restores = api.requests.slice(from).filter((r) => r.method === "PATCH" && r.path.endsWith("/deployments/web") && r.query.fieldManager === "berth");
    expect(restores).toHaveLength(2);
    const restored = JSON.parse(restores[1]!.body);
    expect(restored.spec.template.spec.containers[0].image).toBe("acme/web:1");
    expect(restored.spec.template.metadata.annotations[RESTARTED_AT]).toBeUndefined();
    expect(restored.status).toBeUndefined();
    expect(api.object("Deployment", NS, "web")!.spec.template.metadata.annotations[RESTARTED_AT]).toBe("2026-03-01T10:00:00.000Z");
    expect(lines).toContain("web: the previous release is rolled out again");
  });

  test("a new block that cannot pull its image fails; discarding the release removes it and keeps the serving ones", async () => {
    api.scriptRollout(NS, "mailer", [{ waiting: "ErrImagePull" }]);
    const { hooks, lines } = recorder();
    const outcomes = await runtime.apply(plan(1), hooks);
    expect(outcomes.find((o) => o.block === "mailer")).toMatchObject({ ok: false, reason: expect.stringMatching(/^mailer: pod mailer-[0-9a-f]{8}-0 ErrImagePull; last log lines: \(none\)$/) });
    expect(lines).toContain("mailer: no earlier release to put back");
    const gone = await runtime.discardRelease("shop", "prod", 1, ["api", "db", "web"]);
    expect(gone).toBeGreaterThanOrEqual(2);
    expect(api.object("Deployment", NS, "mailer")).toBeUndefined();
    expect(api.objects("Secret").some((s) => s.metadata.name.startsWith("mailer-env-"))).toBe(false);
    expect(api.object("Deployment", NS, "web")).toBeDefined();
  });

  test("discarding a failed release puts back what it replaced and deletes only what it added", async () => {
    await runtime.apply(plan(1), recorder().hooks);
    const oldWebSecret = api.objects("Secret").find((s) => s.metadata.name.startsWith("web-env-"))!.metadata.name;
    api.scriptRollout(NS, "web", [{ waiting: "CrashLoopBackOff", restarts: 1 }]);
    const outcomes = await runtime.apply(plan(2, { images: { web: "acme/web:2", tick: "acme/tick:2" } }), recorder().hooks);
    expect(outcomes.find((o) => o.block === "web")?.ok).toBe(false);
    expect(api.object("CronJob", NS, "tick")!.spec.jobTemplate.spec.template.spec.containers[0].image).toBe("acme/tick:2");
    const newWebSecret = api.objects("Secret").find((s) => s.metadata.name.startsWith("web-env-") && s.metadata.name !== oldWebSecret)!.metadata.name;
    await runtime.discardRelease("shop", "prod", 2, ["api", "db", "mailer"]);
    // The scheduled job is release 1's again; the failed block's new Secret and the release's Job go; release 1's Secret stays.
    expect(api.object("CronJob", NS, "tick")!.spec.jobTemplate.spec.template.spec.containers[0].image).toBe("acme/tick:1");
    expect(api.object("Secret", NS, newWebSecret)).toBeUndefined();
    expect(api.object("Secret", NS, oldWebSecret)).toBeDefined();
    expect(api.object("Job", NS, "migrate-r2")).toBeUndefined();
    expect(deploymentImage("web")).toBe("acme/web:1");
    expect(api.object("Deployment", NS, "api")).toBeDefined();
  });

  test("discarding a release another process applied deletes only its Jobs", async () => {
    await runtime.apply(plan(1), recorder().hooks);
    api.scriptRollout(NS, "web", [{ waiting: "CrashLoopBackOff" }]);
    await runtime.apply(plan(2, { images: { web: "acme/web:2" } }), recorder().hooks);
    const other = createK3sRuntime({ client: createKubeClient(api.config) }, { pollMs: 1 });
    const from = api.requests.length;
    expect(await other.discardRelease("shop", "prod", 2, [])).toBe(1);
    expect(writesSince(from).map((r) => `${r.method} ${r.path}`)).toEqual(["DELETE /apis/batch/v1/namespaces/berth-shop-prod/jobs/migrate-r2"]);
  });

  test("a failed pre-deploy Job: nothing else is applied, every block fails with the job's last lines", async () => {
    await runtime.apply(plan(1), recorder().hooks);
    api.scriptJob(NS, "migrate-r2", ["running", "running", "failed"]);
    api.setLogs(NS, "migrate-r2", ["migrating 0042_add_index", "ERROR: relation \"orders\" does not exist"]);
    const from = api.requests.length;
    const { hooks } = recorder();
    const outcomes = await runtime.apply(plan(2, { images: { web: "acme/web:2", migrate: "acme/api:2" } }), hooks);
    const reason = 'pre-deploy job migrate-r2 failed (BackoffLimitExceeded); last log lines: migrating 0042_add_index | ERROR: relation "orders" does not exist';
    expect(outcomes.map((o) => [o.block, o.ok, o.reason])).toEqual(plan(2).blocks.map((b) => [b.block, false, reason]));
    const writes = writesSince(from).map((r) => r.path);
    expect(writes).toHaveLength(3);
    expect(writes[0]).toBe("/api/v1/namespaces/berth-shop-prod");
    expect(writes[1]).toMatch(/\/secrets\/migrate-env-/);
    expect(writes[2]).toBe("/apis/batch/v1/namespaces/berth-shop-prod/jobs/migrate-r2");
    expect(deploymentImage("web")).toBe("acme/web:1");
  });

  test("a pre-deploy Job whose pod cannot start fails at once, not at its timeout", async () => {
    await runtime.apply(plan(1), recorder().hooks);
    api.scriptJob(NS, "migrate-r2", ["running", { waiting: "ImagePullBackOff" }]);
    // The job's timeout is a minute; the runtime must not wait for it.
    const outcomes = await runtime.apply(plan(2, { images: { migrate: "acme/api:missing" } }), recorder().hooks);
    const reason = "pre-deploy job migrate-r2 failed (pod migrate-r2-pod ImagePullBackOff); last log lines: (none)";
    expect(outcomes.map((o) => [o.block, o.ok, o.reason])).toEqual(plan(2).blocks.map((b) => [b.block, false, reason]));
    expect(deploymentImage("web")).toBe("acme/web:1");
  });

  test("a failed post-deploy Job is a warning: the release stays", async () => {
    api.scriptJob(NS, "notify-r1", ["failed"]);
    api.setLogs(NS, "notify-r1", ["smtp: connection refused"]);
    const { hooks, lines } = recorder();
    const outcomes = await runtime.apply(plan(1), hooks);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(lines).toContain("warning: post-deploy job notify-r1 failed (BackoffLimitExceeded); last log lines: smtp: connection refused; the release stays deployed");
  });

  test("pods the cluster refuses to create fail the block with the controller's reason", async () => {
    const message = 'pods "db-5d9c-" is forbidden: exceeded quota: storage, requested: requests.storage=1Gi';
    api.scriptRollout(NS, "db", [{ ready: 0, updated: 0, condition: { type: "ReplicaFailure", status: "True", reason: "FailedCreate", message } }]);
    const outcomes = await runtime.apply(plan(1), recorder().hooks);
    expect(outcomes.find((o) => o.block === "db")).toMatchObject({ ok: false, reason: `db: FailedCreate: ${message}` });
  });

  test("a rollout that never finishes fails when its time is up", async () => {
    const slow = createK3sRuntime({ client: createKubeClient(api.config) }, { pollMs: 1, rolloutTimeoutMs: 50 });
    api.scriptRollout(NS, "api", [{ ready: 0, updated: 1 }]);
    const outcomes = await slow.apply(plan(1), recorder().hooks);
    expect(outcomes.find((o) => o.block === "api")).toMatchObject({ ok: false, reason: "api: not rolled out within 0 s (0 of 1 ready)" });
  });
});

describe("status", () => {
  test("each block's state, counts, image, release and upstream; a crash loop with its last lines", async () => {
    await runtime.apply(plan(1), recorder().hooks);
    api.scriptRollout(NS, "api", [{ waiting: "CrashLoopBackOff", restarts: 4 }]);
    api.setLogs(NS, "api", ["boot", "segfault"]);
    // The controller's status moves on a read of the Deployment; the runtime's status lists them.
    await createKubeClient(api.config).get({ kind: "Deployment", namespace: NS, name: "api" });
    const rows = await runtime.status("shop", "prod");
    const web = rows.find((r) => r.block === "web")!;
    expect(web).toMatchObject({ state: "running", ready: 2, wanted: 2, image: "acme/web:1", release: 1, restarts: 0, lastLog: [] });
    expect(web.upstreams).toEqual([{ host: api.object("Service", NS, "web")!.spec.clusterIP, port: 8080 }]);
    expect(rows.find((r) => r.block === "api")).toMatchObject({ state: "crashloop", ready: 0, upstreams: [], restarts: 4, lastLog: ["boot", "segfault"] });
    expect(rows.map((r) => r.block)).toEqual(["api", "db", "mailer", "web"]);
    const quiet = await runtime.status("shop", "prod", { crashes: false });
    expect(quiet.find((r) => r.block === "api")?.lastLog).toEqual([]);
  });

  test("an environment that never ran has no rows", async () => {
    expect(await runtime.status("shop", "prod")).toEqual([]);
  });
});

describe("remove", () => {
  test("deletes by the environment's labels, keeps claims and the namespace, and leaves other environments", async () => {
    await runtime.apply(plan(1), recorder().hooks);
    await runtime.apply(plan(1, { environment: "eu-prod" }), recorder().hooks);
    const from = api.requests.length;
    await runtime.remove("shop", "prod", { purgeVolumes: false });
    const deletes = writesSince(from);
    expect(deletes.every((r) => r.method === "DELETE" && r.path.startsWith("/api") && r.path.includes("/namespaces/berth-shop-prod/"))).toBe(true);
    const lists = api.requests.slice(from).filter((r) => r.method === "GET" && r.query.labelSelector);
    expect(lists.every((r) => r.query.labelSelector!.includes("berth.project=shop,berth.environment=prod"))).toBe(true);
    const left = api.objects().filter((o) => o.metadata.namespace === NS || o.metadata.name === NS);
    expect(left.map((o) => o.kind).sort()).toEqual(["Namespace", "PersistentVolumeClaim"]);
    expect(api.objects("Deployment").filter((d) => d.metadata.namespace === "berth-shop-eu-prod")).toHaveLength(4);
  });

  test("purging volumes deletes the namespace, claims and all", async () => {
    await runtime.apply(plan(1), recorder().hooks);
    const from = api.requests.length;
    await runtime.remove("shop", "prod", { purgeVolumes: true });
    expect(writesSince(from).map((r) => `${r.method} ${r.path}`)).toEqual(["DELETE /api/v1/namespaces/berth-shop-prod"]);
    expect(api.objects("PersistentVolumeClaim")).toEqual([]);
  });
});

describe("stop", () => {
  test("scales every Deployment to 0 under its own field manager and keeps every object; the next apply takes the replicas back", async () => {
    await runtime.apply(plan(1), recorder().hooks);
    await runtime.apply(plan(1, { environment: "eu-prod" }), recorder().hooks);
    const kept = api.objects().filter((o) => o.metadata.namespace === NS).map((o) => `${o.kind}/${o.metadata.name}`).sort();
    const from = api.requests.length;
    await runtime.stop("shop", "prod");
    const writes = writesSince(from);
    expect(writes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(["api", "db", "mailer", "web"].map((d) => `PATCH /apis/apps/v1/namespaces/${NS}/deployments/${d}`));
    expect(writes.every((r) => r.query.fieldManager === STOP_MANAGER && r.query.force === "true")).toBe(true);
    expect(JSON.parse(writes[0]!.body).spec).toEqual({ replicas: 0 });
    expect(api.objects().filter((o) => o.metadata.namespace === NS).map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(kept);
    expect((await runtime.status("shop", "prod")).map((s) => `${s.block}:${s.state}:${s.wanted}`)).toEqual(["api:stopped:0", "db:stopped:0", "mailer:stopped:0", "web:stopped:0"]);
    // The other environment runs on.
    expect(api.objects("Deployment").filter((d) => d.metadata.namespace === "berth-shop-eu-prod").every((d) => d.spec.replicas !== 0)).toBe(true);
    // A start is a new release applied as berth, with force: the replicas are the release's again.
    const started = await runtime.apply(plan(2), recorder().hooks);
    expect(started.every((o) => o.ok)).toBe(true);
    expect(api.object("Deployment", NS, "web")!.spec.replicas).toBe(2);
    expect(api.object("Deployment", NS, "mailer")!.spec.replicas).toBe(1);
  });

  test("a start that fails leaves the environment stopped: the failed block is put back at 0 replicas", async () => {
    await runtime.apply(plan(1), recorder().hooks);
    await runtime.stop("shop", "prod");
    api.scriptRollout(NS, "web", [{ waiting: "CrashLoopBackOff", restarts: 1 }, {}]);
    const outcomes = await runtime.apply(plan(2, { images: { web: "acme/web:2" } }), recorder().hooks);
    expect(outcomes.find((o) => o.block === "web")!.ok).toBe(false);
    expect(deploymentImage("web")).toBe("acme/web:1");
    expect(api.object("Deployment", NS, "web")!.spec.replicas).toBe(0);
  });

  test("an environment that never ran: nothing to stop, nothing written", async () => {
    const from = api.requests.length;
    await runtime.stop("shop", "prod");
    expect(writesSince(from)).toEqual([]);
  });
});

describe("watch", () => {
  test("an environment whose rollout moves is reported", async () => {
    await runtime.apply(plan(1), recorder().hooks);
    const watching = createK3sRuntime({ client: createKubeClient(api.config) }, { watchPollMs: 5 });
    const changes: (EnvironmentRef | null)[] = [];
    const stop = watching.watch((ref) => void changes.push(ref), () => {});
    try {
      // Let it read the cluster once before the change.
      while (api.requests.filter((r) => r.path === "/apis/apps/v1/deployments").length < 2) await Bun.sleep(5);
      await runtime.apply(plan(2, { images: { web: "acme/web:2" } }), recorder().hooks);
      while (changes.length === 0) await Bun.sleep(5);
      expect(changes[0]).toEqual({ project: "shop", environment: "prod" });
    } finally {
      stop();
    }
  });

  test("a cluster that cannot be read is reported once per failure streak, not on every poll", async () => {
    let calls = 0;
    const failing = { ...createKubeClient(api.config), list: async () => (calls++, Promise.reject(new Error("fleet mode has no cluster yet"))) };
    const lines: string[] = [];
    const stop = createK3sRuntime({ client: failing }, { watchPollMs: 2 }).watch(() => {}, (line) => void lines.push(line));
    try {
      while (calls < 10) await Bun.sleep(2);
    } finally {
      stop();
    }
    expect(lines).toEqual(["fleet watch: fleet mode has no cluster yet"]);
  });

  test("exec and holding blocks say they are not in fleet mode yet", async () => {
    await expect(runtime.exec({ project: "shop", environment: "prod", block: "web", replica: 0, command: ["sh"], tty: true })).rejects.toThrow("exec is not in fleet mode yet");
    await expect(runtime.holdBlocks("shop", "prod", ["db"])).rejects.toThrow("holding blocks (for a restore) is not in fleet mode yet");
  });
});

function byPath(a: { kind: string; metadata: { name: string } }, b: { kind: string; metadata: { name: string } }) {
  const ka = `${a.kind}/${a.metadata.name}`;
  const kb = `${b.kind}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
