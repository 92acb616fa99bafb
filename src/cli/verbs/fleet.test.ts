import { describe, expect, test } from "bun:test";
import { harnessWithRelease, PASSWORD } from "../../../test/support/fleet-release.ts";
import type { VerbContext } from "../verb.ts";
import { fleetVerbs, statusLines } from "./fleet.ts";

const render = fleetVerbs.find((v) => v.name === "fleet render")!;

async function run(args: string[], values: Record<string, string> = {}) {
  const { harness } = await harnessWithRelease();
  const out: string[] = [];
  const context = { args, values, client: async () => harness.client, out: (line: string) => out.push(line) } as unknown as VerbContext;
  await render.run(context);
  return out.join("\n");
}

test("berth fleet render prints YAML documents, the Namespace first, no secret in clear", async () => {
  const printed = await run(["the-longest-project-name-berth-allows-40", "dev"], { release: "1" });
  expect(printed).toStartWith("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: berth-the-longest-project-name-berth-allows-40-dev\n");
  expect(printed).toContain("\n---\napiVersion: batch/v1\nkind: CronJob\n");
  expect(printed).not.toContain(PASSWORD);
});

test("a --release that is not a number is refused before anything is called", async () => {
  await expect(run(["p", "dev"], { release: "latest" })).rejects.toThrow("--release: expected a whole number from 1, got latest");
});

describe("fleet status as text", () => {
  const now = Date.parse("2026-03-01T12:00:00Z");
  const server = { url: "https://10.0.0.5:6443", k3sVersion: "v1.34.2+k3s1", initialisedAt: "2026-03-01T10:00:00Z" };
  const record = (name: string, role: string, address: string) => ({ name, role, address, hostKey: role === "server" ? "" : "SHA256:k", k3sVersion: "v1.34.2+k3s1", joinedAt: "2026-03-01T11:00:00Z" });
  const live = { ready: "True", kubeletVersion: "v1.34.2+k3s1", roles: ["control-plane", "master"], pressure: [], unschedulable: false };

  test("with the cluster: ready (cordoned), kubelet, roles and pressure beside each record; a node joined by hand on its own row", () => {
    const lines = statusLines(
      {
        server,
        nodes: [
          { ...record("server-1", "server", "local"), cluster: live },
          { ...record("node-7", "agent", "ssh://root@10.0.0.7:22"), cluster: { ...live, ready: "False", roles: [], pressure: ["MemoryPressure", "DiskPressure"], unschedulable: true } },
          { ...record("node-8", "agent", "ssh://root@10.0.0.8:22"), cluster: null },
        ],
        unrecorded: [{ name: "manual-3", ...live, roles: [], ready: "Unknown" }],
      },
      now,
    );
    expect(lines[0]).toBe("server https://10.0.0.5:6443 (k3s v1.34.2+k3s1, since 2026-03-01T10:00:00Z)");
    const rows = lines[1]!.split("\n").map((row) => row.split(/\s{2,}/));
    expect(rows[0]).toEqual(["NAME", "ROLE", "ADDRESS", "HOST KEY", "K3S", "JOINED", "READY", "KUBELET", "ROLES", "PRESSURE"]);
    expect(rows[1]).toEqual(["server-1", "server", "local", "-", "v1.34.2+k3s1", "1 h ago", "yes", "v1.34.2+k3s1", "control-plane,master", "none"]);
    expect(rows[2]).toEqual(["node-7", "agent", "ssh://root@10.0.0.7:22", "SHA256:k", "v1.34.2+k3s1", "1 h ago", "no (cordoned)", "v1.34.2+k3s1", "-", "MemoryPressure,DiskPressure"]);
    expect(rows[3]).toEqual(["node-8", "agent", "ssh://root@10.0.0.8:22", "SHA256:k", "v1.34.2+k3s1", "1 h ago", "not in the cluster", "-", "-", "-"]);
    expect(rows[4]).toEqual(["manual-3", "-", "not set up by Berth", "-", "-", "-", "unknown", "v1.34.2+k3s1", "-", "none"]);
    expect(lines).toHaveLength(2);
  });

  test("without the cluster: the records as they are and one line why", () => {
    const lines = statusLines({ server, nodes: [{ ...record("server-1", "server", "local"), cluster: null }], unrecorded: [], clusterNote: "fleet mode has no cluster yet (no kubeconfig at /d/fleet/kubeconfig.yaml): run berth fleet init first" }, now);
    expect(lines[1]!.split("\n")[0]!.split(/\s{2,}/)).toEqual(["NAME", "ROLE", "ADDRESS", "HOST KEY", "K3S", "JOINED"]);
    expect(lines[2]).toBe("what the cluster says is not shown: fleet mode has no cluster yet (no kubeconfig at /d/fleet/kubeconfig.yaml): run berth fleet init first");
  });

  test("before fleet init: one line saying how to start", () => {
    expect(statusLines({ server: null, nodes: [], unrecorded: [], clusterNote: "no fleet yet" })).toEqual(["no fleet yet: berth fleet init --bundle DIR installs the k3s server on this machine"]);
  });
});
