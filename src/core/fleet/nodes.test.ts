// `fleet status`: the records joined with what the cluster says, over the real client and store.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type KubeApi, startKubeApi } from "../../../test/support/kube-api.ts";
import { createClusterNodes } from "../../adapters/runtime/k3s/cluster-nodes.ts";
import { lazyKubeClient } from "../../adapters/runtime/k3s/cluster-client.ts";
import { createKubeClient } from "../../adapters/runtime/k3s/kube-client.ts";
import { migrate, openDb } from "../../adapters/store/db.ts";
import { createFleetStore } from "../../adapters/store/fleet-store.ts";
import type { ClusterNodes } from "../../ports/cluster-nodes.ts";
import type { FleetRegistryHost } from "../../ports/fleet-registry.ts";
import { createFleetNodes } from "./nodes.ts";

let api: KubeApi;
let dir: string;
beforeAll(async () => {
  api = await startKubeApi();
  dir = mkdtempSync(join(tmpdir(), "berth-fleet-status-"));
});
afterAll(() => {
  api.stop();
  rmSync(dir, { recursive: true, force: true });
});

function fleet(cluster: ClusterNodes | undefined, initialised = true, registry: Partial<FleetRegistryHost> = {}) {
  const db = openDb(":memory:");
  migrate(db);
  const store = createFleetStore(db);
  if (initialised) {
    store.saveServer({ url: "https://10.0.0.5:6443", tokenSealed: "s", agentTokenSealed: "a", k3sVersion: "v1.34.2+k3s1", initialisedAt: "2026-03-01T10:00:00Z" });
    store.putNode({ name: "server-1", address: "local", hostKey: "", role: "server", k3sVersion: "v1.34.2+k3s1", joinedAt: "2026-03-01T10:00:00Z" });
    store.putNode({ name: "node-7", address: "ssh://root@10.0.0.7:22", hostKey: "SHA256:k", role: "agent", k3sVersion: "v1.34.2+k3s1", joinedAt: "2026-03-01T11:00:00Z" });
  }
  const unused = () => {
    throw new Error("not used by status");
  };
  return createFleetNodes({
    store,
    cluster,
    box: { seal: unused, open: unused } as never,
    pins: {} as never,
    dataDir: dir,
    install: unused,
    isRoot: () => true,
    defaultAddress: () => null,
    hostname: () => "server-1",
    registry: registry as FleetRegistryHost,
    shell: {} as never,
    namespaces: () => new Map(),
  });
}

const nodeObject = (name: string, labels: Record<string, string>, conditions: { type: string; status: string }[]) => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name, labels },
  status: { conditions, nodeInfo: { kubeletVersion: "v1.34.2+k3s1" } },
});

test("each recorded node with what the cluster says of it; a Node joined by hand is listed apart, a recorded one the cluster lacks has null", async () => {
  api.seed(nodeObject("server-1", { "node-role.kubernetes.io/control-plane": "true" }, [{ type: "Ready", status: "True" }]));
  api.seed(nodeObject("manual-3", {}, [{ type: "Ready", status: "True" }, { type: "DiskPressure", status: "True" }]));
  const status = await fleet(createClusterNodes(createKubeClient(api.config))).status();
  expect(status.clusterNote).toBeUndefined();
  expect(status.nodes.map((n) => [n.name, n.cluster])).toEqual([
    ["node-7", null],
    ["server-1", { name: "server-1", ready: "True", kubeletVersion: "v1.34.2+k3s1", roles: ["control-plane"], pressure: [], unschedulable: false }],
  ]);
  expect(status.unrecorded).toEqual([{ name: "manual-3", ready: "True", kubeletVersion: "v1.34.2+k3s1", roles: [], pressure: ["DiskPressure"], unschedulable: false }]);
});

test("without a kubeconfig the records come as they are, with one line why the cluster was not asked", async () => {
  const missing = join(dir, "fleet", "kubeconfig.yaml");
  const status = await fleet(createClusterNodes(lazyKubeClient(missing))).status();
  expect(status.nodes.map((n) => [n.name, n.cluster])).toEqual([
    ["node-7", null],
    ["server-1", null],
  ]);
  expect(status.clusterNote).toBe(`fleet mode has no cluster yet (no kubeconfig at ${missing}): run berth fleet init first`);
});

test("a cluster that does not answer is one line too; before fleet init the cluster is not asked at all", async () => {
  const down = createClusterNodes(createKubeClient({ ...api.config, server: "https://127.0.0.1:1" }));
  const status = await fleet(down).status();
  expect(status.clusterNote).toBe("list Node by (all): the Kubernetes API at https://127.0.0.1:1: connection refused; is k3s running?");
  expect(status.nodes).toHaveLength(2);

  const before = api.requests.length;
  const empty = await fleet(createClusterNodes(createKubeClient(api.config)), false).status();
  expect(empty).toEqual({ server: null, nodes: [], unrecorded: [], clusterNote: "no fleet yet: berth fleet init installs the k3s server on this machine" });
  expect(api.requests.length).toBe(before);
});

describe("the registry at serve's start", () => {
  test("started at the server's address when the fleet exists, stopped by what it returns", async () => {
    const calls: string[] = [];
    const lines: string[] = [];
    const registry = { missing: () => null, start: async (host: string) => (calls.push(`start ${host}`), { address: `${host}:5000`, outcome: "started" as const }), stop: async () => void calls.push("stop") };
    const stop = fleet(undefined, true, registry).startRegistry((line) => lines.push(line));
    await stop();
    expect(calls).toEqual(["start 10.0.0.5", "stop"]);
    expect(lines).toEqual(["fleet registry: started at https://10.0.0.5:5000"]);
  });

  test("never fails the start: a missing program or a failed start is one line; no fleet, nothing is tried", async () => {
    const lines: string[] = [];
    const failing = { missing: () => null, start: async () => Promise.reject(new Error("the registry exited (1); its last lines (/d/logs/registry.log):\nlevel=info msg=starting\nlisten tcp 10.0.0.5:5000: bind: address already in use")), stop: async () => {} };
    await fleet(undefined, true, failing).startRegistry((line) => lines.push(line))();
    await fleet(undefined, true, { missing: () => "the fleet's registry needs /usr/bin/docker-registry, which is not installed: apt-get install docker-registry", stop: async () => {} }).startRegistry((line) => lines.push(line))();
    // No fleet at serve's start: nothing is tried, but what returns still stops a registry a later fleet init starts.
    let stopped = 0;
    const later = { missing: () => { throw new Error("not asked without a fleet"); }, start: async () => { throw new Error("not started without a fleet"); }, stop: async () => void stopped++ };
    await fleet(undefined, false, later).startRegistry((line) => lines.push(line))();
    expect(stopped).toBe(1);
    expect(lines).toEqual([
      "fleet registry: not started: the registry exited (1); its last lines (/d/logs/registry.log): listen tcp 10.0.0.5:5000: bind: address already in use",
      "fleet registry: not started: the fleet's registry needs /usr/bin/docker-registry, which is not installed: apt-get install docker-registry",
    ]);
  });
});
