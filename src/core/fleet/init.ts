import { randomBytes } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { invalid } from "../errors.ts";
import type { FleetRegistryHost } from "../../ports/fleet-registry.ts";
import type { FleetStore } from "../../ports/fleet-store.ts";
import type { SecretBox } from "../../ports/secret-box.ts";
import { type BundlePins, sha256File, sha256Text, verifyBundle } from "./bundle.ts";
import { checkNodeName } from "./node-address.ts";
import { API_PORT, IMAGES_DIR, K3S_BINARY, K3S_CONFIG, K3S_REGISTRIES, NODE_REGISTRY_CA, SERVER_UNINSTALL, serverConfig } from "./node-config.ts";
import type { StepOutcome } from "./join.ts";

/** Runs the k3s install script: argv (never a shell line) and the environment it reads. */
export type RunInstaller = (argv: string[], env: Record<string, string>) => Promise<void>;

export interface InitDeps {
  store: FleetStore;
  box: SecretBox;
  pins: BundlePins;
  /** Where the system's paths start: "/" on a machine, a temporary folder in tests. */
  root: string;
  /** The data dir: the kubeconfig k3s writes is kept there, 0600. */
  dataDir: string;
  install: RunInstaller;
  /** True when this process may install system software. */
  isRoot: () => boolean;
  /** The address agents reach this machine at when none is given. */
  defaultAddress: () => string | null;
  hostname: () => string;
  /** The fleet's registry: it runs on this machine, and every node (this one too) pulls from it. */
  registry: FleetRegistryHost;
  now?: () => Date;
}

export interface InitRequest {
  bundle: string;
  /** The address agents reach the server at (its API on :6443). */
  address?: string;
}

export interface InitResult {
  url: string;
  kubeconfig: string;
  steps: { what: string; outcome: StepOutcome }[];
  unchanged: boolean;
}

const ADDRESS = /^(\d{1,3}(\.\d{1,3}){3}|(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*)$/i;

/** The argv `fleet init` installs the server with: no Traefik and no servicelb, Berth's edge is the ingress. */
export const SERVER_INSTALL_ARGS = ["server", "--disable", "traefik", "--disable", "servicelb"];
const SERVER_INSTALL_ENV = { INSTALL_K3S_SKIP_DOWNLOAD: "true", INSTALL_K3S_SKIP_SELINUX_RPM: "true" };

export const kubeconfigPath = (dataDir: string) => join(dataDir, "fleet", "kubeconfig.yaml");

/**
 * `fleet init`: k3s as the server on this machine, from a verified bundle. The tokens are made
 * once and kept sealed; every file is compared first, and the install script runs only when
 * something changed, so a second run changes nothing.
 */
export async function initServer(deps: InitDeps, request: InitRequest): Promise<InitResult> {
  const bundle = await verifyBundle(request.bundle, deps.pins);
  if (!deps.isRoot()) throw invalid("fleet init installs k3s on this machine: berth serve must run as root");
  const existing = deps.store.server();
  const address = request.address ?? (existing ? new URL(existing.url).hostname : deps.defaultAddress());
  if (!address) throw invalid("this machine has no address agents could reach (no non-loopback IPv4): pass --address");
  if (!ADDRESS.test(address)) throw invalid(`--address ${JSON.stringify(address)}: expected an IPv4 address or a host name the agents reach this machine at`);
  // Before anything is written: a fleet whose nodes cannot pull Berth's images is no use.
  const missing = deps.registry.missing();
  if (missing) throw invalid(missing);
  const url = `https://${address}:${API_PORT}`;
  const token = existing ? deps.box.open(existing.tokenSealed) : randomBytes(32).toString("hex");
  const agentToken = existing ? deps.box.open(existing.agentTokenSealed) : randomBytes(32).toString("hex");
  const kubeconfig = kubeconfigPath(deps.dataDir);
  mkdirSync(dirname(kubeconfig), { recursive: true, mode: 0o700 });

  const steps: InitResult["steps"] = [];
  const at = (path: string) => join(deps.root, path);
  const hasMode = (path: string, mode: number) => existsSync(path) && (statSync(path).mode & 0o777) === mode;
  const place = async (from: string, sha256: string, to: string, mode: number, what: string) => {
    if (hasMode(at(to), mode) && (await sha256File(at(to))) === sha256) return steps.push({ what, outcome: "unchanged" });
    mkdirSync(dirname(at(to)), { recursive: true, mode: 0o755 });
    copyFileSync(from, `${at(to)}.berth-new`);
    chmodSync(`${at(to)}.berth-new`, mode);
    renameSync(`${at(to)}.berth-new`, at(to));
    steps.push({ what, outcome: "written" });
  };
  const writeText = (to: string, content: string, what: string, mode = 0o600) => {
    if (hasMode(at(to), mode) && sha256Text(readFileSync(at(to))) === sha256Text(content)) return steps.push({ what, outcome: "unchanged" });
    mkdirSync(dirname(at(to)), { recursive: true, mode: 0o755 });
    writeFileSync(`${at(to)}.berth-new`, content, { mode });
    chmodSync(`${at(to)}.berth-new`, mode);
    renameSync(`${at(to)}.berth-new`, at(to));
    steps.push({ what, outcome: "written" });
  };

  await place(bundle.binary.path, bundle.binary.sha256, K3S_BINARY, 0o755, `k3s ${bundle.version} binary ${K3S_BINARY}`);
  if (bundle.images) await place(bundle.images.path, bundle.images.sha256, `${IMAGES_DIR}/k3s-airgap-images-amd64.tar.zst`, 0o644, `air-gap images in ${IMAGES_DIR}`);
  writeText(K3S_CONFIG, serverConfig({ token, agentToken, address, kubeconfig }), `server settings ${K3S_CONFIG} (tokens, kubeconfig ${kubeconfig})`);
  // The server node runs pods too: it pulls from the registry like every agent. k3s reads both files at start only.
  const registryFiles = await deps.registry.nodeFiles(address);
  writeText(K3S_REGISTRIES, registryFiles.registriesYaml, `registry mirrors ${K3S_REGISTRIES}`);
  writeText(NODE_REGISTRY_CA, registryFiles.caPem, `registry CA ${NODE_REGISTRY_CA}`, 0o644);
  const installed = existsSync(at(SERVER_UNINSTALL));
  if (steps.some((s) => s.outcome !== "unchanged") || !installed) {
    await deps.install(["sh", bundle.script.path, ...SERVER_INSTALL_ARGS], SERVER_INSTALL_ENV);
    steps.push({ what: "install script (k3s service)", outcome: "ran" });
  } else {
    steps.push({ what: "install script (k3s service)", outcome: "unchanged" });
  }

  const now = (deps.now ?? (() => new Date()))().toISOString();
  if (!existing || existing.url !== url || existing.k3sVersion !== bundle.version) {
    deps.store.saveServer({ url, tokenSealed: deps.box.seal(token), agentTokenSealed: deps.box.seal(agentToken), k3sVersion: bundle.version, initialisedAt: existing?.initialisedAt ?? now });
  }
  const name = checkNodeName(deps.hostname().toLowerCase(), "this machine's host name");
  const recorded = deps.store.nodes().find((n) => n.role === "server");
  if (recorded && recorded.name !== name) deps.store.removeNode(recorded.name);
  deps.store.putNode({ name, address: "local", hostKey: "", role: "server", k3sVersion: bundle.version, joinedAt: recorded?.joinedAt ?? now });
  // Last, once the server is recorded: a registry that fails to start is fixed and init run again, with the same tokens.
  const registry = await deps.registry.start(address);
  steps.push({ what: `registry at ${registry.address}`, outcome: registry.outcome === "started" ? "ran" : "unchanged" });
  return { url, kubeconfig, steps, unchanged: steps.every((s) => s.outcome === "unchanged") };
}
