import { expect, test } from "bun:test";
import type { ClusterNodes } from "../../ports/cluster-nodes.ts";
import type { FleetNode, FleetStore } from "../../ports/fleet-store.ts";
import type { NodeShell } from "../../ports/node-shell.ts";
import { parseVolumeFolder, removeNode } from "./remove.ts";

const NAMESPACES = new Map([["berth-shop-prod", "shop/prod"]]);

test("local-path folders name the environment and block of Berth's claims", () => {
  expect(parseVolumeFolder("pvc-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b_berth-shop-prod_db-data-1a2b3c4d", NAMESPACES)).toEqual({
    namespace: "berth-shop-prod",
    claim: "db-data-1a2b3c4d",
    environment: "shop/prod",
    block: "db",
  });
  expect(parseVolumeFolder("pvc-1_other_cache", NAMESPACES)).toEqual({ namespace: "other", claim: "cache" });
  expect(parseVolumeFolder("lost+found", NAMESPACES)).toBeNull();
});

/** A node over a fake shell: the probe's answer, the storage folder's listing, and what ran. */
function fakeNode(storage: string[]) {
  const ran: string[] = [];
  const shell: NodeShell = {
    async connect(target) {
      ran.push(`connect ${target.user}@${target.host}:${target.port} ${target.hostKey}`);
      return {
        hostKey: target.hostKey!,
        async run(argv) {
          ran.push(argv.join(" ").split("\n")[0]!);
          if (argv[3] === "berth-probe") return { code: 0, stdout: "0\nLinux\nx86_64\nnode-2\nno-sudo\n-\nagent\n---\nID=debian\n---\n", stderr: "" };
          if (argv[0] === "ls") return { code: 0, stdout: storage.join("\n"), stderr: "" };
          return { code: 0, stdout: "", stderr: "" };
        },
        upload: async () => {},
        close: () => ran.push("close"),
      };
    },
  };
  const nodes = new Map<string, FleetNode>([["node-2", { name: "node-2", address: "ssh://root@10.0.0.7:22", hostKey: "SHA256:k", role: "agent", k3sVersion: "v", joinedAt: "t" }]]);
  const store = { node: (name: string) => nodes.get(name) ?? null, removeNode: (name: string) => void nodes.delete(name) } as unknown as FleetStore;
  const cluster: ClusterNodes = {
    cordon: async (n) => (ran.push(`cordon ${n}`), true),
    drain: async (n) => (ran.push(`drain ${n}`), { evicted: [], failed: [] }),
    deleteNode: async (n) => (ran.push(`delete node ${n}`), true),
    list: async () => [],
  };
  return { ran, nodes, deps: { store, shell, cluster, namespaces: () => NAMESPACES } };
}

test("refused while a service keeps data there: nothing is cordoned or uninstalled, the node stays", async () => {
  const { ran, nodes, deps } = fakeNode(["pvc-0f1e2d3c_berth-shop-prod_db-data-1a2b3c4d"]);
  await expect(removeNode(deps, "node-2", { privateKey: "k" })).rejects.toThrow("node node-2 holds service data: shop/prod block db (claim db-data-1a2b3c4d); move those services first, or pass --force");
  expect(ran.some((r) => r.startsWith("cordon") || r.includes("uninstall"))).toBe(false);
  expect(nodes.has("node-2")).toBe(true);
});

test("cordon, drain, uninstall over SSH with the recorded host key, then the Node goes and the record", async () => {
  const { ran, nodes, deps } = fakeNode([]);
  const result = await removeNode(deps, "node-2", { privateKey: "k" });
  expect(ran.filter((r) => !r.startsWith("sh -c") && !r.startsWith("ls"))).toEqual([
    "connect root@10.0.0.7:22 SHA256:k",
    "cordon node-2",
    "drain node-2",
    "/usr/local/bin/k3s-agent-uninstall.sh",
    "close",
    "delete node node-2",
  ]);
  expect(result.notes).toEqual([]);
  expect(nodes.has("node-2")).toBe(false);
});

test("without a cluster client it says what it could not do", async () => {
  const { deps } = fakeNode([]);
  const result = await removeNode({ ...deps, cluster: undefined }, "node-2", { privateKey: "k" });
  expect(result.notes).toEqual([
    "not cordoned nor drained: no cluster client; its pods stop with k3s",
    "the Node object stays in the cluster: delete it with k3s kubectl delete node node-2",
  ]);
});

test("--forget drops a machine that is gone without connecting; without it a key is needed", async () => {
  const { ran, nodes, deps } = fakeNode([]);
  await expect(removeNode(deps, "node-2", {})).rejects.toThrow("uninstalling k3s from node node-2 needs its SSH key (or --forget for a machine that is gone)");
  const result = await removeNode(deps, "node-2", { forget: true });
  expect(ran).toEqual(["delete node node-2"]);
  expect(result.notes).toEqual(["ssh://root@10.0.0.7:22 was not contacted: should it come back, k3s still runs there until /usr/local/bin/k3s-agent-uninstall.sh"]);
  expect(nodes.has("node-2")).toBe(false);
  await expect(removeNode(deps, "node-2", { forget: true })).rejects.toThrow("node node-2 not found");
});

test("a pod that could not be evicted refuses the removal, one line per pod, before k3s is uninstalled; --force goes on and says which pods stopped with k3s", async () => {
  const { ran, nodes, deps } = fakeNode([]);
  const failed = ["berth-shop-prod/web-1: still refused after 60 s: Cannot evict pod as it would violate the pod's disruption budget.", "kube-system/coredns-1: evicted, still shutting down after 120 s"];
  const cluster: ClusterNodes = { ...deps.cluster, drain: async () => ({ evicted: ["kube-system/coredns-1"], failed }) };
  const error = (await removeNode({ ...deps, cluster }, "node-2", { privateKey: "k" }).catch((e: Error) => e)) as Error;
  expect(error.message).toBe(`node node-2 could not be drained (it stays cordoned); pass --force to uninstall k3s anyway, and these pods stop with it:\n  ${failed[0]}\n  ${failed[1]}`);
  expect(ran.some((r) => r.includes("uninstall"))).toBe(false);
  expect(nodes.has("node-2")).toBe(true);

  const result = await removeNode({ ...deps, cluster }, "node-2", { privateKey: "k", force: true });
  expect(result.notes).toEqual(failed.map((line) => `not evicted, stopped with k3s: ${line}`));
  expect(ran.some((r) => r.includes("uninstall"))).toBe(true);
  expect(nodes.has("node-2")).toBe(false);
});

test("a cluster that does not answer refuses the removal unless forced; the Node's deletion failing after the uninstall is a note, the record goes", async () => {
  const { ran, nodes, deps } = fakeNode([]);
  const down = async () => {
    throw new Error("the Kubernetes API at https://10.0.0.5:6443: connection refused; is k3s running?");
  };
  const cluster: ClusterNodes = { ...deps.cluster, cordon: down, deleteNode: down };
  await expect(removeNode({ ...deps, cluster }, "node-2", { privateKey: "k" })).rejects.toThrow(
    "node node-2 could not be cordoned: the Kubernetes API at https://10.0.0.5:6443: connection refused; is k3s running?; pass --force to uninstall k3s without draining it (its pods stop with k3s)",
  );
  expect(ran.some((r) => r.includes("uninstall"))).toBe(false);
  const result = await removeNode({ ...deps, cluster }, "node-2", { privateKey: "k", force: true });
  expect(result.notes).toEqual([
    "not cordoned nor drained (the Kubernetes API at https://10.0.0.5:6443: connection refused; is k3s running?): its pods stop with k3s",
    "the Node object stays in the cluster (the Kubernetes API at https://10.0.0.5:6443: connection refused; is k3s running?): delete it with k3s kubectl delete node node-2",
  ]);
  expect(nodes.has("node-2")).toBe(false);
});

test("a drain the cluster fails partway (its pod list timed out) refuses the removal unless forced, as a cordon that fails does", async () => {
  const { ran, nodes, deps } = fakeNode([]);
  const cluster: ClusterNodes = {
    ...deps.cluster,
    drain: async () => {
      throw new Error("list Pod by spec.nodeName=node-2: no answer within 30 s");
    },
  };
  await expect(removeNode({ ...deps, cluster }, "node-2", { privateKey: "k" })).rejects.toThrow(
    "node node-2 could not be drained (it stays cordoned): list Pod by spec.nodeName=node-2: no answer within 30 s; pass --force to uninstall k3s anyway (its pods stop with k3s)",
  );
  expect(ran.some((r) => r.includes("uninstall"))).toBe(false);
  expect(nodes.has("node-2")).toBe(true);
  const result = await removeNode({ ...deps, cluster }, "node-2", { privateKey: "k", force: true });
  expect(result.notes[0]).toBe("cordoned, not drained (list Pod by spec.nodeName=node-2: no answer within 30 s): its pods stop with k3s");
  expect(nodes.has("node-2")).toBe(false);
});
