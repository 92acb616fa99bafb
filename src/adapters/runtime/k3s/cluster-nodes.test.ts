// The ClusterNodes port over the real client and HTTPS, against the recording API server:
// the requests a cordon, a drain and a deletion make, and what the API's answers do to them.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { type KubeApi, startKubeApi } from "../../../../test/support/kube-api.ts";
import { createClusterNodes, nodeState } from "./cluster-nodes.ts";
import { lazyKubeClient } from "./cluster-client.ts";
import { createKubeClient } from "./kube-client.ts";

let api: KubeApi;
beforeEach(async () => {
  api = await startKubeApi();
});
afterEach(() => api.stop());

/** A clock the drain's waits move, so a bounded wait takes no real time. */
function fakeTime() {
  let now = 0;
  const slept: number[] = [];
  return { slept, now: () => now, sleep: async (ms: number) => void (slept.push(ms), (now += ms)) };
}

function node(name: string, extra: { labels?: Record<string, string>; conditions?: { type: string; status: string }[]; version?: string } = {}) {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...extra.labels } },
    spec: {},
    status: { conditions: extra.conditions ?? [{ type: "Ready", status: "True" }], nodeInfo: { kubeletVersion: extra.version ?? "v1.34.2+k3s1" } },
  };
}

function pod(namespace: string, name: string, nodeName: string, metadata: Record<string, unknown> = {}) {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace, ...metadata }, spec: { nodeName, containers: [{ name: "c", image: "x" }] }, status: { phase: "Running" } };
}

const evictionsSent = () => api.requests.filter((r) => r.path.endsWith("/eviction")).map((r) => r.path);

test("cordon is a merge patch of spec.unschedulable on the Node; a Node the cluster does not have is false, not an error", async () => {
  api.seed(node("node-7"));
  const cluster = createClusterNodes(createKubeClient(api.config));
  expect(await cluster.cordon("node-7")).toBe(true);
  const patch = api.requests.find((r) => r.method === "PATCH")!;
  expect(patch.path).toBe("/api/v1/nodes/node-7");
  expect(patch.contentType).toBe("application/merge-patch+json");
  expect(JSON.parse(patch.body)).toEqual({ spec: { unschedulable: true } });
  expect(api.object("Node", undefined, "node-7")!.spec.unschedulable).toBe(true);
  expect(api.object("Node", undefined, "node-7")!.metadata.labels["kubernetes.io/hostname"]).toBe("node-7");
  expect(await cluster.cordon("node-9")).toBe(false);
});

test("drain evicts every pod on the node but DaemonSet-owned and mirror pods, and leaves other nodes' pods alone", async () => {
  api.seed(node("node-7"));
  api.seed(pod("berth-shop-prod", "web-1", "node-7", { ownerReferences: [{ kind: "ReplicaSet", name: "web-abc" }] }));
  api.seed(pod("berth-shop-prod", "db-0", "node-7"));
  api.seed(pod("kube-system", "svclb-1", "node-7", { ownerReferences: [{ kind: "DaemonSet", name: "svclb" }] }));
  api.seed(pod("kube-system", "kube-proxy-node-7", "node-7", { annotations: { "kubernetes.io/config.mirror": "abc" } }));
  api.seed(pod("berth-shop-prod", "web-2", "node-8"));
  const time = fakeTime();
  const result = await createClusterNodes(createKubeClient(api.config), time).drain("node-7");

  expect(result).toEqual({ evicted: ["berth-shop-prod/web-1", "berth-shop-prod/db-0"], failed: [] });
  expect(evictionsSent().sort()).toEqual(["/api/v1/namespaces/berth-shop-prod/pods/db-0/eviction", "/api/v1/namespaces/berth-shop-prod/pods/web-1/eviction"]);
  const eviction = api.requests.find((r) => r.path.endsWith("/web-1/eviction"))!;
  expect(eviction.method).toBe("POST");
  expect(JSON.parse(eviction.body)).toEqual({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "web-1", namespace: "berth-shop-prod" } });
  // The pods were asked for by node, across the cluster.
  const lists = api.requests.filter((r) => r.method === "GET" && r.path === "/api/v1/pods");
  expect(lists[0]!.query).toEqual({ fieldSelector: "spec.nodeName=node-7" });
  expect(api.objects("Pod").map((p) => p.metadata.name).sort()).toEqual(["kube-proxy-node-7", "svclb-1", "web-2"]);
  expect(time.slept).toEqual([]);
});

test("a disruption budget's 429 is tried again until the pod may go; one that still refuses after the bounded wait is a line naming it", async () => {
  api.seed(node("node-7"));
  api.seed(pod("berth-shop-prod", "web-1", "node-7"));
  api.seed(pod("berth-shop-prod", "web-2", "node-7"));
  api.scriptEviction("berth-shop-prod", "web-1", [429, 429, 201]);
  api.scriptEviction("berth-shop-prod", "web-2", [429]);
  const time = fakeTime();
  const result = await createClusterNodes(createKubeClient(api.config), { ...time, retryMs: 1000, blockedWaitMs: 5000 }).drain("node-7");

  expect(result.evicted).toEqual(["berth-shop-prod/web-1"]);
  expect(result.failed).toEqual(["berth-shop-prod/web-2: still refused after 5 s: the API answered 429: TooManyRequests: Cannot evict pod as it would violate the pod's disruption budget."]);
  expect(evictionsSent().filter((p) => p.includes("/web-1/")).length).toBe(3);
  // Tried again until the bound (the two pods' waits share the fake clock), not forever.
  expect(evictionsSent().filter((p) => p.includes("/web-2/")).length).toBeGreaterThanOrEqual(3);
  expect(evictionsSent().filter((p) => p.includes("/web-2/")).length).toBeLessThanOrEqual(6);
  expect(time.now()).toBeGreaterThanOrEqual(5000);
  expect(api.objects("Pod").map((p) => p.metadata.name)).toEqual(["web-2"]);
});

test("drain waits for evicted pods to leave the node, and names one still shutting down at the end of the wait; a pod gone meanwhile is no failure", async () => {
  api.seed(node("node-7"));
  api.seed(pod("berth-shop-prod", "slow-1", "node-7"));
  api.seed(pod("berth-shop-prod", "quick-1", "node-7"));
  api.seed(pod("berth-shop-prod", "stuck-1", "node-7"));
  api.scriptEviction("berth-shop-prod", "slow-1", [201], 2);
  api.scriptEviction("berth-shop-prod", "stuck-1", [201], 1000);
  api.scriptEviction("berth-shop-prod", "quick-1", [500]);
  const time = fakeTime();
  const result = await createClusterNodes(createKubeClient(api.config), { ...time, retryMs: 1000, goneWaitMs: 4000 }).drain("node-7");

  expect(result.evicted.sort()).toEqual(["berth-shop-prod/slow-1", "berth-shop-prod/stuck-1"]);
  expect(result.failed).toEqual([
    "berth-shop-prod/quick-1: the API answered 500: InternalError: eviction of quick-1 failed",
    "berth-shop-prod/stuck-1: evicted, still shutting down after 4 s",
  ]);
  expect(time.now()).toBeGreaterThanOrEqual(4000);
});

test("deleteNode deletes the Node object; false when there was none", async () => {
  api.seed(node("node-7"));
  const cluster = createClusterNodes(createKubeClient(api.config));
  expect(await cluster.deleteNode("node-7")).toBe(true);
  expect(api.writes()).toEqual(["DELETE /api/v1/nodes/node-7"]);
  expect(api.object("Node", undefined, "node-7")).toBeUndefined();
  expect(await cluster.deleteNode("node-7")).toBe(false);
});

test("list: each Node's Ready condition, kubelet version, roles and the pressure conditions that hold", async () => {
  api.seed(node("server-1", { labels: { "node-role.kubernetes.io/control-plane": "true", "node-role.kubernetes.io/master": "true" } }));
  api.seed(
    node("node-7", {
      conditions: [
        { type: "Ready", status: "False" },
        { type: "MemoryPressure", status: "True" },
        { type: "DiskPressure", status: "False" },
        { type: "PIDPressure", status: "True" },
      ],
      version: "v1.33.1+k3s1",
    }),
  );
  api.seed({ ...node("node-8", { conditions: [] }), spec: { unschedulable: true } });
  const nodes = await createClusterNodes(createKubeClient(api.config)).list();
  expect(nodes).toEqual([
    { name: "node-7", ready: "False", kubeletVersion: "v1.33.1+k3s1", roles: [], pressure: ["MemoryPressure", "PIDPressure"], unschedulable: false },
    { name: "node-8", ready: "Unknown", kubeletVersion: "v1.34.2+k3s1", roles: [], pressure: [], unschedulable: true },
    { name: "server-1", ready: "True", kubeletVersion: "v1.34.2+k3s1", roles: ["control-plane", "master"], pressure: [], unschedulable: false },
  ]);
  expect(nodeState({ apiVersion: "v1", kind: "Node", metadata: { name: "bare", labels: {} } }).ready).toBe("Unknown");
});

test("before fleet init (no kubeconfig) every call is a rejected promise naming what to do, never a throw at the call site", async () => {
  const cluster = createClusterNodes(lazyKubeClient("/nonexistent/fleet/kubeconfig.yaml"));
  const calls = [() => cluster.cordon("n"), () => cluster.drain("n"), () => cluster.deleteNode("n"), () => cluster.list()];
  for (const call of calls) await expect(call()).rejects.toThrow("fleet mode has no cluster yet (no kubeconfig at /nonexistent/fleet/kubeconfig.yaml): run berth fleet init first");
});
