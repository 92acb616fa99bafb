import { invalid } from "../errors.ts";
import type { FleetRegistryHost } from "../../ports/fleet-registry.ts";
import type { FleetNode, FleetStore } from "../../ports/fleet-store.ts";
import type { NodeShell } from "../../ports/node-shell.ts";
import type { SecretBox } from "../../ports/secret-box.ts";
import { type Bundle, type BundlePins, sha256Text, verifyBundle } from "./bundle.ts";
import { checkHostKey, checkNodeName, formatNodeAddress, parseNodeAddress } from "./node-address.ts";
import { agentConfig, AGENT_UNINSTALL, API_PORT, IMAGES_DIR, K3S_BINARY, K3S_CONFIG, K3S_REGISTRIES, KUBELET_PORT, NODE_REGISTRY_CA, SERVER_UNINSTALL } from "./node-config.ts";
import { type NodeOps, nodeOps } from "./node-ops.ts";

export interface JoinDeps {
  store: FleetStore;
  box: SecretBox;
  shell: NodeShell;
  pins: BundlePins;
  /** The fleet's registry on the server node: every node gets its registries.yaml and CA. */
  registry: Pick<FleetRegistryHost, "nodeFiles">;
  now?: () => Date;
}

export interface JoinRequest {
  /** ssh://user@host[:port] */
  address: string;
  privateKey: string;
  /** SHA256:… to trust; without it only the key recorded for this address is. */
  hostKey?: string;
  /** A folder on this machine holding the k3s bundle. */
  bundle: string;
  /** The node's name in the cluster; default: the name it joined with before, else its host name. */
  name?: string;
}

export type StepOutcome = "written" | "unchanged" | "ran";

export interface JoinResult {
  node: FleetNode;
  os: string;
  /** What each step found: a file written or left as it was, the install script run or not. */
  steps: { what: string; outcome: StepOutcome }[];
  /** Nothing on the node changed. */
  unchanged: boolean;
}

/** The bundle's amd64 binary runs on these `uname -m` answers only. */
const AMD64 = new Set(["x86_64", "amd64"]);

/** What the install script reads; nothing secret (the token is in config.yaml). */
const AGENT_INSTALL_ENV = "INSTALL_K3S_SKIP_DOWNLOAD=true\nINSTALL_K3S_EXEC=agent\nINSTALL_K3S_SKIP_SELINUX_RPM=true\n";
/** Reads the environment from stdin, then runs the install script (its path the argument) with stdin closed. */
const RUN_INSTALL = 'set -a; . /dev/stdin; set +a; exec sh "$1" </dev/null';

/**
 * `fleet join`: makes a machine reachable over SSH a k3s agent of this install's server. Checks
 * come first (host key, root, OS, architecture, free ports), every file is compared before it
 * is written, and the install script runs only when something changed: a second run changes
 * nothing and says so.
 */
export async function joinNode(deps: JoinDeps, request: JoinRequest): Promise<JoinResult> {
  const address = parseNodeAddress(request.address);
  const where = formatNodeAddress(address);
  const server = deps.store.server();
  if (!server) throw invalid("this install has no k3s server yet: run berth fleet init first");
  const bundle = await verifyBundle(request.bundle, deps.pins);
  if (request.name !== undefined) checkNodeName(request.name, "--name");
  const recorded = deps.store.nodes().find((n) => n.address === where);
  const hostKey = request.hostKey !== undefined ? checkHostKey(request.hostKey) : recorded?.hostKey || undefined;

  const session = await deps.shell.connect({ ...address, privateKey: request.privateKey, hostKey });
  const steps: JoinResult["steps"] = [];
  let temp: string | undefined;
  const ops = nodeOps(session, where);
  try {
    const facts = await ops.probe(address.user, { server: SERVER_UNINSTALL, agent: AGENT_UNINSTALL });
    if (!AMD64.has(facts.arch)) throw invalid(`${where}: the bundle holds k3s for amd64 (x86_64); this node is ${facts.arch}`);
    if (facts.server) throw invalid(`${where}: this machine runs a k3s server already (${SERVER_UNINSTALL} exists); join another machine`);
    const installed = facts.agent;
    if (!installed) {
      const taken = [API_PORT, KUBELET_PORT].filter((port) => facts.listening.has(port));
      if (taken.length) throw invalid(`${where}: port ${taken.join(" and ")} ${taken.length > 1 ? "are" : "is"} in use on the node; k3s needs ${API_PORT} and ${KUBELET_PORT} free`);
    }
    // A node keeps the name it joined with: k3s would register a renamed agent as another node.
    const name = request.name ?? recorded?.name ?? checkNodeName(facts.hostname.toLowerCase(), "the node's host name");
    const other = deps.store.node(name);
    if (other && other.address !== where) throw invalid(`node name ${name} is taken by ${other.address}; give this one another with --name`);

    const token = deps.box.open(server.agentTokenSealed);
    const config = agentConfig({ serverUrl: server.url, token, nodeName: name });
    // The registry's address is the server's: the registry runs on the server node.
    const registry = await deps.registry.nodeFiles(new URL(server.url).hostname);
    const imagesPath = `${IMAGES_DIR}/k3s-airgap-images-amd64.tar.zst`;
    // Everything in place is read in one round trip, then only what differs is written.
    const [binaryNow, configNow, registriesNow, caNow, imagesNow] = await ops.state([K3S_BINARY, K3S_CONFIG, K3S_REGISTRIES, NODE_REGISTRY_CA, ...(bundle.images ? [imagesPath] : [])]);
    const matches = (now: { sha256: string; mode: string } | null | undefined, sha256: string, mode: string) => now?.sha256 === sha256 && now.mode === mode.replace(/^0/, "");

    const place = async (file: { path: string; sha256: string }, now: { sha256: string; mode: string } | null | undefined, to: string, mode: string, what: string) => {
      if (matches(now, file.sha256, mode)) return steps.push({ what, outcome: "unchanged" });
      temp ??= await ops.tempDir();
      const upload = `${temp}/${to.split("/").pop()}`;
      await session.upload(file.path, upload, 0o600);
      const [arrived] = await ops.state([upload]);
      if (arrived?.sha256 !== file.sha256) throw invalid(`${where}: ${what} arrived with sha256 ${arrived?.sha256 ?? "(none)"}, expected ${file.sha256}: the upload was damaged, run again`);
      await ops.install(upload, to, mode);
      steps.push({ what, outcome: "written" });
    };
    const writeText = async (content: string, now: { sha256: string; mode: string } | null | undefined, to: string, what: string, mode = "0600") => {
      if (matches(now, sha256Text(content), mode)) return steps.push({ what, outcome: "unchanged" });
      await ops.write(to, content, mode);
      steps.push({ what, outcome: "written" });
    };

    await place(bundle.binary, binaryNow, K3S_BINARY, "0755", `k3s ${bundle.version} binary ${K3S_BINARY}`);
    if (bundle.images) await place(bundle.images, imagesNow, imagesPath, "0644", `air-gap images in ${IMAGES_DIR}`);
    await writeText(config, configNow, K3S_CONFIG, `agent settings ${K3S_CONFIG} (server ${server.url}, the join token)`);
    await writeText(registry.registriesYaml, registriesNow, K3S_REGISTRIES, `registry mirrors ${K3S_REGISTRIES}`);
    await writeText(registry.caPem, caNow, NODE_REGISTRY_CA, `registry CA ${NODE_REGISTRY_CA}`, "0644");

    const changed = steps.some((s) => s.outcome !== "unchanged");
    if (changed || !installed) {
      await runInstall(ops, session.upload.bind(session), bundle, (temp ??= await ops.tempDir()));
      steps.push({ what: "install script (k3s-agent service)", outcome: "ran" });
    } else {
      steps.push({ what: "install script (k3s-agent service)", outcome: "unchanged" });
    }

    const node: FleetNode = {
      name,
      address: where,
      hostKey: session.hostKey,
      role: "agent",
      k3sVersion: bundle.version,
      joinedAt: recorded?.joinedAt ?? (deps.now ?? (() => new Date()))().toISOString(),
    };
    if (recorded && recorded.name !== name) deps.store.removeNode(recorded.name);
    deps.store.putNode(node);
    return { node, os: facts.os, steps, unchanged: steps.every((s) => s.outcome === "unchanged") };
  } finally {
    if (temp) await ops.cleanup(temp).catch(() => {});
    session.close();
  }
}

async function runInstall(ops: NodeOps, upload: (from: string, to: string, mode: number) => Promise<void>, bundle: Bundle, temp: string) {
  const script = `${temp}/install.sh`;
  await upload(bundle.script.path, script, 0o700);
  await ops.asRoot(["sh", "-c", RUN_INSTALL, "berth-install", script], "the k3s install script", AGENT_INSTALL_ENV);
}
