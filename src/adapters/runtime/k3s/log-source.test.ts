import { afterEach, beforeAll, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { type KubeApi, type Pki, startKubeApi, testPki } from "../../../../test/support/kube-api.ts";
import { eventually } from "../../../../test/support/eventually.ts";
import { fleetPlan } from "../../../core/fleet/fleet-plan.ts";
import { parseProjectFile } from "../../../core/project-file/parse.ts";
import { resolveBlock } from "../../../core/project-file/resolve.ts";
import type { ContainerLogSource, LoggedContainer, RawLine } from "../../../ports/container-logs.ts";
import type { FleetPlan } from "../../../ports/fleet.ts";
import type { ReleaseBlock } from "../../../ports/release-store.ts";
import { createKubeClient, type KubeClient } from "./kube-client.ts";
import { lineReader, createK3sLogSource } from "./log-source.ts";
import { manifestObjects } from "./manifests.ts";

const file = parseProjectFile(`
project: shop
blocks:
  web: { kind: website, image: acme/web:1, port: 8080, replicas: 2 }
  mailer: { kind: worker, image: acme/mailer:1 }
  migrate: { kind: job, image: acme/api:1, command: [migrate], trigger: pre-deploy }
environments:
  prod:
  staging:
`);
const PROD = "berth-shop-prod";
const STAGING = "berth-shop-staging";

setDefaultTimeout(30_000);

function plan(environment: string, release: number, image = "acme/web:1"): FleetPlan {
  const blocks: ReleaseBlock[] = Object.keys(file.blocks).map((name) => {
    const spec = resolveBlock(file, environment, name);
    const ref = name === "web" ? image : spec.image!;
    return { name, image: ref, imageId: `sha256:${Bun.hash(ref).toString(16)}`, commit: null, spec: { ...spec, image: ref } };
  });
  return fleetPlan({ project: "shop", environment, release, blocks, variablesOf: (b) => ({ env: { ROLE: b.name }, fingerprint: `fp-${b.name}`, dependsOn: [] }) });
}

/** The release's objects, straight into the API (no rollout watch: the pods are what the test scripts). */
async function applyPlan(client: KubeClient, p: FleetPlan) {
  for (const object of manifestObjects(p)) await client.apply(object);
}

/** A follow's lines and end, as the collector would see them. */
function follower(source: ContainerLogSource, id: string, since: string | null) {
  const lines: RawLine[] = [];
  let ended = 0;
  const stop = source.follow(id, since, (batch) => void lines.push(...batch), () => void ended++);
  return { lines, texts: () => lines.map((l) => l.text), ended: () => ended, stop };
}

let pki: Pki;
let api: KubeApi;
let client: KubeClient;
let source: ContainerLogSource;
beforeAll(async () => {
  pki = await testPki();
});
beforeEach(async () => {
  api = await startKubeApi({ pki });
  client = createKubeClient(api.config);
  source = createK3sLogSource(client, { refusedPauseMs: 50 });
  await applyPlan(client, plan("prod", 3));
  await applyPlan(client, plan("staging", 1));
});
afterEach(() => api.stop());

const key = (c: LoggedContainer) => `${c.environment}/${c.block}#${c.replica} r${c.release} ${c.running ? "running" : "not running"}`;

describe("list", () => {
  test("every Berth pod across the cluster with its project, environment, block, release and replica; job pods left out", async () => {
    const listed = await source.list();
    expect(listed.map(key).sort()).toEqual(["prod/mailer#0 r3 running", "prod/web#0 r3 running", "prod/web#1 r3 running", "staging/mailer#0 r1 running", "staging/web#0 r1 running", "staging/web#1 r1 running"]);
    expect(listed.every((c) => c.project === "shop")).toBe(true);
    // The pre-deploy Job ran a pod: it is there, yet not listed.
    const all = await client.list("Pod", undefined, {});
    expect(all.some((p) => p.metadata.labels?.["batch.kubernetes.io/job-name"] === "migrate-r3")).toBe(true);
    // One call for the pods and one for the Deployments, both across the cluster by Berth's label.
    const lists = api.requests.filter((r) => r.method === "GET" && (r.path === "/api/v1/pods" || r.path === "/apis/apps/v1/deployments"));
    expect(lists.map((r) => r.query.labelSelector)).toEqual(["app.kubernetes.io/managed-by=berth", "app.kubernetes.io/managed-by=berth"]);
  });

  test("pods in another namespace that carry an environment's labels are not that environment's", async () => {
    const web = api.object("Deployment", PROD, "web")!;
    await client.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "intruder", labels: {} } });
    await client.apply({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "intruder", labels: web.metadata.labels }, spec: web.spec } as never);
    // The copy has pods, labelled as shop/prod's web.
    expect((await client.list("Pod", "intruder", {})).length).toBeGreaterThan(0);
    const listed = await source.list();
    expect(listed.filter((c) => c.environment === "prod" && c.block === "web").map(key).sort()).toEqual(["prod/web#0 r3 running", "prod/web#1 r3 running"]);
  });

  test("ids are the pods' uids: 12-character short ids unique, the same on every list", async () => {
    const first = await source.list();
    const pods = await client.list("Pod", PROD, { "berth.block": "web" });
    expect(first.filter((c) => c.environment === "prod" && c.block === "web").map((c) => c.id).sort()).toEqual(pods.map((p) => p.metadata.uid!.replace(/-/g, "")).sort());
    for (const c of first) expect(c.id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(first.map((c) => c.id.slice(0, 12))).size).toBe(first.length);
    expect((await source.list()).map((c) => c.id)).toEqual(first.map((c) => c.id));
  });

  test("a pod whose container waits (crash loop) is not running; during a rollout old and new pods each count their own replicas", async () => {
    api.scriptRollout(PROD, "web", [{ waiting: "CrashLoopBackOff", restarts: 3 }]);
    expect((await source.list()).filter((c) => c.environment === "prod" && c.block === "web").map(key)).toEqual(["prod/web#0 r3 not running", "prod/web#1 r3 not running"]);

    // A new template while the old pods run: release 4's pods next to release 3's, both counted from 0.
    api.scriptRollout(PROD, "web", [{ ready: 1, updated: 1 }]);
    await source.list();
    await applyPlan(client, plan("prod", 4, "acme/web:2"));
    const web = (await source.list()).filter((c) => c.environment === "prod" && c.block === "web");
    expect(web.length).toBe(4);
    expect(web.map((c) => c.replica).sort()).toEqual([0, 0, 1, 1]);
    // The Deployment's release: the last one applied to the block (its pods carry none).
    expect(new Set(web.map((c) => c.release))).toEqual(new Set([4]));
  });
});

describe("follow", () => {
  test("lines with the API's times, then lines written later, until the container's stream ends", async () => {
    api.setLogs(PROD, "mailer", ["starting", "ready, 3 queues"]);
    const [mailer] = (await source.list()).filter((c) => c.environment === "prod" && c.block === "mailer");
    const follow = follower(source, mailer!.id, null);
    await eventually(() => follow.lines.length === 2, 5_000, "the written lines arrive");
    expect(follow.texts()).toEqual(["starting", "ready, 3 queues"]);
    for (const line of follow.lines) {
      expect(line.stream).toBe("stdout");
      expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    }
    expect(follow.lines[0]!.time < follow.lines[1]!.time).toBe(true);
    const request = api.requests.findLast((r) => r.path.endsWith("/log"))!;
    expect(request.path).toMatch(new RegExp(`^/api/v1/namespaces/${PROD}/pods/mailer-[0-9a-f]{8}-0/log$`));
    expect(request.query).toEqual({ follow: "true", timestamps: "true", container: "mailer" });

    api.appendLogs(PROD, "mailer", ["sent 1 message"]);
    await eventually(() => follow.lines.length === 3, 5_000, "the appended line arrives on the open follow");
    expect(follow.texts()[2]).toBe("sent 1 message");
    expect(follow.ended()).toBe(0);

    expect(api.endLogFollows(PROD, "mailer")).toBe(1);
    await eventually(() => follow.ended() === 1, 5_000, "the follow ends with the stream");
    expect(follow.lines.length).toBe(3);
  });

  test("from a time on: the API is asked from its second, and only later lines come", async () => {
    api.setLogs(PROD, "mailer", ["one", "two", "three"]);
    const [mailer] = (await source.list()).filter((c) => c.environment === "prod" && c.block === "mailer");
    const all = follower(source, mailer!.id, null);
    await eventually(() => all.lines.length === 3, 5_000, "the lines arrive");
    all.stop();
    const since = all.lines[0]!.time;

    const later = follower(source, mailer!.id, since);
    await eventually(() => later.lines.length === 2, 5_000, "the lines after the first arrive");
    expect(later.texts()).toEqual(["two", "three"]);
    expect(api.requests.findLast((r) => r.path.endsWith("/log"))!.query.sinceTime).toBe(`${since.slice(0, 19)}Z`);
    later.stop();
  });

  test("a stopped follow closes its request and does not call back", async () => {
    const [mailer] = (await source.list()).filter((c) => c.environment === "prod" && c.block === "mailer");
    const follow = follower(source, mailer!.id, null);
    await eventually(() => api.openLogFollows(PROD, "mailer") === 1, 5_000, "the follow is open");
    follow.stop();
    await eventually(() => api.openLogFollows(PROD, "mailer") === 0, 5_000, "the API sees the follow closed");
    api.appendLogs(PROD, "mailer", ["after the stop"]);
    await Bun.sleep(100);
    expect(follow.lines).toEqual([]);
    expect(follow.ended()).toBe(0);
  });

  test("a pod that is not running: what it wrote, then the end; an id no list gave ends at once", async () => {
    api.scriptRollout(PROD, "mailer", [{ waiting: "CrashLoopBackOff", restarts: 1 }]);
    api.setLogs(PROD, "mailer", ["panic: no queue"]);
    const [mailer] = (await source.list()).filter((c) => c.environment === "prod" && c.block === "mailer");
    expect(mailer!.running).toBe(false);
    const follow = follower(source, mailer!.id, null);
    await eventually(() => follow.ended() === 1, 5_000, "the follow ends");
    expect(follow.texts()).toEqual(["panic: no queue"]);

    const unknown = follower(source, "0123456789abcdef0123456789abcdef", null);
    await eventually(() => unknown.ended() === 1, 1_000, "an unknown id ends");
    expect(unknown.lines).toEqual([]);
  });

  test("a pod gone: the API's refusal ends the follow", async () => {
    const [mailer] = (await source.list()).filter((c) => c.environment === "staging" && c.block === "mailer");
    await client.remove({ kind: "Deployment", namespace: STAGING, name: "mailer" });
    const follow = follower(source, mailer!.id, null);
    await eventually(() => follow.ended() === 1, 5_000, "the follow ends");
    expect(api.requests.findLast((r) => r.path.endsWith("/log"))!.path).toStartWith(`/api/v1/namespaces/${STAGING}/pods/mailer-`);
  });
});

describe("a follow the API keeps refusing", () => {
  test("waits before it ends, so the collector does not list the cluster again at once; a stop ends the wait", async () => {
    const patient = createK3sLogSource(client, { refusedPauseMs: 60_000 });
    const [mailer] = (await patient.list()).filter((c) => c.environment === "staging" && c.block === "mailer");
    await client.remove({ kind: "Deployment", namespace: STAGING, name: "mailer" });
    const asked = api.requests.length;
    const follow = follower(patient, mailer!.id, null);
    await eventually(() => api.requests.slice(asked).some((r) => r.path.endsWith("/log")), 5_000, "the follow was asked for");
    await Bun.sleep(200);
    expect(follow.ended()).toBe(0);
    follow.stop();
    await Bun.sleep(50);
    expect(follow.ended()).toBe(0);
  });
});

describe("lineReader", () => {
  test("lines split across chunks and several in one chunk; a last line without newline; times padded to nine digits", () => {
    const got: RawLine[] = [];
    const reader = lineReader((lines) => void got.push(...lines));
    const bytes = new TextEncoder().encode("2026-12-02T05:24:36.12Z héllo\r\n2026-12-02T05:24:37Z two words\n2026-12-02T05:24:38.5Z last");
    // Cut inside the two-byte é and inside the second line's time.
    const cuts = [0, 26, 40, bytes.length];
    for (let i = 1; i < cuts.length; i++) reader.push(bytes.subarray(cuts[i - 1], cuts[i]));
    expect(got.map((l) => `${l.time} ${l.text}`)).toEqual(["2026-12-02T05:24:36.120000000Z héllo", "2026-12-02T05:24:37.000000000Z two words"]);
    reader.end();
    expect(got.map((l) => l.text)).toEqual(["héllo", "two words", "last"]);
    expect(got.every((l) => l.stream === "stdout")).toBe(true);
  });

  test("a line without a time is not a log line: dropped", () => {
    const got: RawLine[] = [];
    const reader = lineReader((lines) => void got.push(...lines));
    reader.push(new TextEncoder().encode("unable to retrieve container logs\n2026-12-02T05:24:36Z ok\n"));
    expect(got.map((l) => l.text)).toEqual(["ok"]);
  });
});
