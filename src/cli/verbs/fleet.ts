import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { unwrap } from "../../client/index.ts";
import { ago, json, table } from "../output.ts";
import { UsageError, type Verb } from "../verb.ts";

const jsonFlag = { json: { type: "boolean" } } as const;

/** The keys `ssh` tries by default, in its order. */
const DEFAULT_KEYS = ["id_ed25519", "id_ecdsa", "id_rsa"];

/** The private key's text: --key FILE, else the first of ~/.ssh's usual keys. It goes to the API for one connection. */
function readKey(file: string | undefined): string {
  const path = file ?? DEFAULT_KEYS.map((name) => join(homedir(), ".ssh", name)).find((p) => existsSync(p));
  if (!path) throw new UsageError(`--key: no key given and none of ~/.ssh/${DEFAULT_KEYS.join(", ~/.ssh/")} exists`);
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`--key: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The bundle folder as an absolute path: the server reads it, and it runs on this machine with `fleet init`. */
function bundleDir(value: unknown): string {
  if (typeof value !== "string" || value === "") throw new UsageError("--bundle DIR is required: the folder holding k3s, install.sh and (optionally) k3s-airgap-images-amd64.tar.zst");
  return resolve(value);
}

const stepLines = (steps: { what: string; outcome: string }[]) => steps.map((s) => `  ${s.outcome.padEnd(9)} ${s.what}`);

/** What the cluster says of a node, as `fleet status` prints it. */
interface NodeView {
  ready: string;
  kubeletVersion: string;
  roles: string[];
  pressure: string[];
  unschedulable: boolean;
}

interface StatusView {
  server: { url: string; k3sVersion: string; initialisedAt: string } | null;
  nodes: { name: string; role: string; address: string; hostKey: string; k3sVersion: string; joinedAt: string; cluster: NodeView | null }[];
  unrecorded: (NodeView & { name: string })[];
  clusterNote?: string;
}

const READY: Record<string, string> = { True: "yes", False: "no", Unknown: "unknown" };
const readyCell = (n: NodeView | null) => (n ? `${READY[n.ready] ?? n.ready}${n.unschedulable ? " (cordoned)" : ""}` : "-");
const pressureCell = (n: NodeView | null) => (n ? n.pressure.join(",") || "none" : "-");

/** `fleet status` as text: the records, and what the cluster says of each node when it was asked, else one line why not. */
export function statusLines(status: StatusView, now = Date.now()): string[] {
  if (!status.server) return ["no fleet yet: berth fleet init --bundle DIR installs the k3s server on this machine"];
  const lines = [`server ${status.server.url} (k3s ${status.server.k3sVersion}, since ${status.server.initialisedAt})`];
  const asked = status.clusterNote === undefined;
  const headers = ["NAME", "ROLE", "ADDRESS", "HOST KEY", "K3S", "JOINED", ...(asked ? ["READY", "KUBELET", "ROLES", "PRESSURE"] : [])];
  const rows = status.nodes.map((n) => [
    n.name,
    n.role,
    n.address,
    n.hostKey || "-",
    n.k3sVersion,
    ago(n.joinedAt, now),
    ...(asked ? [n.cluster ? readyCell(n.cluster) : "not in the cluster", n.cluster?.kubeletVersion ?? "-", n.cluster?.roles.join(",") || "-", pressureCell(n.cluster)] : []),
  ]);
  // Nodes joined by hand: the cluster knows them, Berth has no record.
  const extra = status.unrecorded.map((n) => [n.name, "-", "not set up by Berth", "-", "-", "-", readyCell(n), n.kubeletVersion || "-", n.roles.join(",") || "-", pressureCell(n)]);
  lines.push(table(headers, [...rows, ...extra]));
  if (!asked) lines.push(`what the cluster says is not shown: ${status.clusterNote}`);
  return lines;
}

export const fleetVerbs: Verb[] = [
  {
    name: "fleet render",
    summary: "Print the Kubernetes objects a release would become in fleet mode (k3s), secret values masked",
    args: "PROJECT ENV",
    options: { release: { type: "string" } },
    optionHelp: ["--release N   release N instead of the live one"],
    async run({ args, values, client, out }) {
      const text = values.release as string | undefined;
      if (text !== undefined && (!/^\d+$/.test(text) || Number(text) < 1)) throw new UsageError(`--release: expected a whole number from 1, got ${text}`);
      const route = (await client()).projects[":project"].environments[":env"].fleet.manifests;
      const { manifests } = await unwrap(route.$get({ param: { project: args[0]!, env: args[1]! }, query: text === undefined ? {} : { release: text } }));
      out(manifests.trimEnd());
    },
  },
  {
    name: "fleet init",
    summary: "Install the pinned k3s as the fleet's server on the machine Berth runs on, from a checksum-verified bundle",
    options: { bundle: { type: "string" }, address: { type: "string" }, ...jsonFlag },
    optionHelp: [
      "--bundle DIR      folder on the server holding k3s, install.sh (and k3s-airgap-images-amd64.tar.zst)",
      "--address ADDR    where agents reach this machine (default: its first non-loopback IPv4)",
      "--json            print JSON",
    ],
    async run({ values, client, out }) {
      const body = { bundle: bundleDir(values.bundle), ...(typeof values.address === "string" && { address: values.address }) };
      const result = await unwrap((await client()).fleet.init.$post({ json: body }));
      if (values.json) return out(json(result));
      stepLines(result.steps).forEach((line) => out(line));
      out(result.unchanged ? `k3s server at ${result.url}: unchanged` : `k3s server at ${result.url}; its kubeconfig is ${result.kubeconfig} (0600)`);
    },
  },
  {
    name: "fleet join",
    summary: "Make a machine a k3s agent over SSH (strict host key, pinned k3s); running it again changes nothing",
    args: "ssh://USER@HOST[:PORT]",
    minArgs: 1,
    options: { bundle: { type: "string" }, key: { type: "string" }, "host-key": { type: "string" }, name: { type: "string" }, ...jsonFlag },
    optionHelp: [
      "--bundle DIR         folder on the server holding k3s and install.sh (the pinned release)",
      "--key FILE           SSH private key (default: ~/.ssh/id_ed25519, id_ecdsa, id_rsa); used once, never stored",
      "--host-key SHA256:…  the node's host key fingerprint to trust (needed the first time)",
      "--name NAME          the node's name in the cluster (default: its host name)",
      "--json               print JSON",
    ],
    async run({ args, values, client, out }) {
      const body = {
        address: args[0]!,
        bundle: bundleDir(values.bundle),
        privateKey: readKey(values.key as string | undefined),
        ...(typeof values["host-key"] === "string" && { hostKey: values["host-key"] }),
        ...(typeof values.name === "string" && { name: values.name }),
      };
      const result = await unwrap((await client()).fleet.nodes.$post({ json: body }));
      if (values.json) return out(json(result));
      stepLines(result.steps).forEach((line) => out(line));
      const { node } = result;
      out(result.unchanged ? `node ${node.name} (${node.address}): unchanged` : `node ${node.name} (${node.address}, ${result.os}) joined as an agent; host key ${node.hostKey}`);
    },
  },
  {
    name: "fleet remove",
    summary: "Uninstall k3s from a node over SSH and forget it; refused while services keep local data there",
    args: "NODE",
    options: { key: { type: "string" }, force: { type: "boolean" }, forget: { type: "boolean" }, ...jsonFlag },
    optionHelp: [
      "--key FILE   SSH private key (default: ~/.ssh/id_ed25519, id_ecdsa, id_rsa)",
      "--force      remove it even though services keep data there (that data is deleted) or pods could not be drained (they stop with k3s)",
      "--forget     the machine is gone: forget it without connecting (nothing is uninstalled)",
      "--json       print JSON",
    ],
    async run({ args, values, client, out }) {
      const route = (await client()).fleet.nodes[":name"].remove;
      const body = values.forget === true ? { forget: true } : { privateKey: readKey(values.key as string | undefined), ...(values.force === true && { force: true }) };
      const result = await unwrap(route.$post({ param: { name: args[0]! }, json: body }));
      if (values.json) return out(json(result));
      for (const note of result.notes) out(`  note: ${note}`);
      out(`node ${result.node.name} removed${result.volumes.length ? ` with ${result.volumes.length} volume(s) of data` : ""}`);
    },
  },
  {
    name: "fleet status",
    summary: "The fleet's k3s server and nodes, as recorded and as the cluster sees them (ready, kubelet version, roles, pressure)",
    options: jsonFlag,
    optionHelp: ["--json   print JSON"],
    async run({ values, client, out }) {
      const status = await unwrap((await client()).fleet.nodes.$get());
      if (values.json) return out(json(status));
      statusLines(status).forEach((line) => out(line));
    },
  },
];
