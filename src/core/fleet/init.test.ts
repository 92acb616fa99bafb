import { beforeEach, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { createSecretBox } from "../../adapters/crypto/secret-box.ts";
import { createFleetStore } from "../../adapters/store/fleet-store.ts";
import { migrate, openDb } from "../../adapters/store/db.ts";
import { releasePins, sha256Text } from "./bundle.ts";
import { K3S_PINS, K3S_VERSION } from "./k3s-release.ts";
import { initServer, type InitDeps } from "./init.ts";
import { NODE_CA_FILE } from "../../adapters/registry/registries-yaml.ts";
import type { FleetRegistryHost } from "../../ports/fleet-registry.ts";
import { NODE_REGISTRY_CA } from "./node-config.ts";

const K3S = "#!/bin/sh\necho k3s stand-in\n";
const SCRIPT = "#!/bin/sh\necho install stand-in\n";

let root: string;
let bundle: string;
let dataDir: string;
let installs: { argv: string[]; env: Record<string, string> }[];
let deps: InitDeps;
/** What the registry was asked, in order, with the install script's runs among it. */
let calls: string[];

/** The registry's port, faked: it records what init asks, and runs once started. */
function fakeRegistry(missing: string | null = null): FleetRegistryHost {
  let running: string | null = null;
  return {
    missing: () => missing,
    nodeFiles: async (host) => (calls.push(`files ${host}`), { registriesYaml: `mirrors:\n  ${host}:5000: {}\n`, caPem: `CA for ${host}\n` }),
    async start(host) {
      calls.push(`start ${host}`);
      const outcome = running === host ? "running" : "started";
      running = host;
      return { address: `${host}:5000`, outcome };
    },
    stop: async () => void (running = null),
  };
}

beforeEach(() => {
  const home = mkdtempSync(join(tmpdir(), "berth-fleet-init-"));
  root = join(home, "root");
  bundle = join(home, "bundle");
  dataDir = join(home, "data");
  mkdirSync(bundle);
  writeFileSync(join(bundle, "k3s"), K3S);
  writeFileSync(join(bundle, "install.sh"), SCRIPT);
  installs = [];
  calls = [];
  const db = openDb(":memory:");
  migrate(db);
  deps = {
    store: createFleetStore(db),
    box: createSecretBox(randomBytes(32)),
    pins: releasePins({ binary: sha256Text(K3S), script: sha256Text(SCRIPT) }),
    root,
    dataDir,
    install: async (argv, env) => {
      installs.push({ argv, env });
      calls.push("install");
      // What the real script leaves behind: the uninstall script beside the binary.
      writeFileSync(join(root, "usr/local/bin/k3s-uninstall.sh"), "#!/bin/sh\n", { mode: 0o755 });
    },
    isRoot: () => true,
    defaultAddress: () => "10.0.0.5",
    hostname: () => "Berth-Main",
    registry: fakeRegistry(),
    now: () => new Date("2026-12-02T10:00:00Z"),
  };
});

const mode = (path: string) => (statSync(join(root, path)).mode & 0o777).toString(8);

test("installs the server from the bundle: binary 0755, settings 0600 with the tokens, the script with traefik and servicelb off", async () => {
  const result = await initServer(deps, { bundle });
  expect(result.url).toBe("https://10.0.0.5:6443");
  expect(readFileSync(join(root, "usr/local/bin/k3s"), "utf8")).toBe(K3S);
  expect(mode("usr/local/bin/k3s")).toBe("755");
  expect(mode("etc/rancher/k3s/config.yaml")).toBe("600");
  expect(mode("etc/rancher/k3s/registries.yaml")).toBe("600");
  // The server node pulls from the registry as every agent does; the registry starts last, at the init address.
  expect(readFileSync(join(root, "etc/rancher/k3s/registries.yaml"), "utf8")).toBe("mirrors:\n  10.0.0.5:5000: {}\n");
  expect(readFileSync(join(root, "etc/rancher/k3s/berth-registry-ca.crt"), "utf8")).toBe("CA for 10.0.0.5\n");
  expect(mode("etc/rancher/k3s/berth-registry-ca.crt")).toBe("644");
  expect(NODE_REGISTRY_CA).toBe(NODE_CA_FILE);
  expect(calls).toEqual(["files 10.0.0.5", "install", "start 10.0.0.5"]);
  expect(result.steps.at(-1)).toEqual({ what: "registry at 10.0.0.5:5000", outcome: "ran" });

  const config = parse(readFileSync(join(root, "etc/rancher/k3s/config.yaml"), "utf8")) as Record<string, unknown>;
  const server = deps.store.server()!;
  expect(config.token).toBe(deps.box.open(server.tokenSealed));
  expect(config["agent-token"]).toBe(deps.box.open(server.agentTokenSealed));
  expect(config.token).not.toBe(config["agent-token"]);
  // Sealed at rest: the store never holds a token in clear.
  expect(server.tokenSealed).not.toContain(config.token as string);
  expect(config["write-kubeconfig"]).toBe(join(dataDir, "fleet/kubeconfig.yaml"));
  expect(config["write-kubeconfig-mode"]).toBe("0600");
  expect(config["advertise-address"]).toBe("10.0.0.5");
  expect(config["tls-san"]).toEqual(["10.0.0.5"]);
  expect(result.kubeconfig).toBe(join(dataDir, "fleet/kubeconfig.yaml"));
  expect((statSync(join(dataDir, "fleet")).mode & 0o777).toString(8)).toBe("700");

  expect(installs).toEqual([{ argv: ["sh", join(bundle, "install.sh"), "server", "--disable", "traefik", "--disable", "servicelb"], env: { INSTALL_K3S_SKIP_DOWNLOAD: "true", INSTALL_K3S_SKIP_SELINUX_RPM: "true" } }]);
  // Neither token is on the command line nor in the script's environment.
  expect(JSON.stringify(installs)).not.toContain(config.token as string);
  expect(JSON.stringify(installs)).not.toContain(config["agent-token"] as string);
  expect(deps.store.nodes()).toEqual([{ name: "berth-main", address: "local", hostKey: "", role: "server", k3sVersion: K3S_VERSION, joinedAt: "2026-12-02T10:00:00.000Z" }]);
});

test("a second run keeps the tokens, writes nothing and runs no script", async () => {
  await initServer(deps, { bundle });
  const config = readFileSync(join(root, "etc/rancher/k3s/config.yaml"), "utf8");
  const written = statSync(join(root, "etc/rancher/k3s/config.yaml")).mtimeMs;
  const again = await initServer(deps, { bundle });
  expect(again.unchanged).toBe(true);
  expect(again.steps.map((s) => s.outcome)).toEqual(["unchanged", "unchanged", "unchanged", "unchanged", "unchanged", "unchanged"]);
  expect(installs).toHaveLength(1);
  expect(readFileSync(join(root, "etc/rancher/k3s/config.yaml"), "utf8")).toBe(config);
  expect(statSync(join(root, "etc/rancher/k3s/config.yaml")).mtimeMs).toBe(written);
});

test("a settings file changed by hand is written back and the script runs again", async () => {
  await initServer(deps, { bundle });
  writeFileSync(join(root, "etc/rancher/k3s/config.yaml"), "token: guessed\n");
  const again = await initServer(deps, { bundle });
  expect(again.steps.find((s) => s.what.startsWith("server settings"))?.outcome).toBe("written");
  expect(installs).toHaveLength(2);
  expect(readFileSync(join(root, "etc/rancher/k3s/config.yaml"), "utf8")).not.toContain("guessed");
});

test("a host name is in the certificate's names, not the advertised address (k3s takes an IP there)", async () => {
  await initServer(deps, { bundle, address: "k3s.example.com" });
  const config = parse(readFileSync(join(root, "etc/rancher/k3s/config.yaml"), "utf8")) as Record<string, unknown>;
  expect(config["advertise-address"]).toBeUndefined();
  expect(config["tls-san"]).toEqual(["k3s.example.com"]);
  expect(deps.store.server()!.url).toBe("https://k3s.example.com:6443");
});

test("a bundle file with another hash is refused in one line naming it, before anything is written", async () => {
  writeFileSync(join(bundle, "install.sh"), `${SCRIPT}curl evil\n`);
  const refused = initServer(deps, { bundle });
  await expect(refused).rejects.toThrow(`install.sh has sha256 ${sha256Text(`${SCRIPT}curl evil\n`)}, expected ${sha256Text(SCRIPT)}`);
  expect(existsSync(join(root, "usr/local/bin/k3s"))).toBe(false);
  expect(installs).toEqual([]);
  expect(deps.store.server()).toBeNull();
});

test("the air-gap images are checked and placed when the bundle holds them", async () => {
  writeFileSync(join(bundle, "k3s-airgap-images-amd64.tar.zst"), "images");
  await expect(initServer(deps, { bundle })).rejects.toThrow(`k3s-airgap-images-amd64.tar.zst has sha256 ${sha256Text("images")}, expected ${K3S_PINS.images} (k3s ${K3S_VERSION}): refusing it`);
  deps.pins = { ...deps.pins, images: sha256Text("images") };
  await initServer(deps, { bundle });
  expect(readFileSync(join(root, "var/lib/rancher/k3s/agent/images/k3s-airgap-images-amd64.tar.zst"), "utf8")).toBe("images");
  expect(mode("var/lib/rancher/k3s/agent/images/k3s-airgap-images-amd64.tar.zst")).toBe("644");
});

test("refusals: a binary that is not the pinned release's, no root, a bad address", async () => {
  await expect(initServer({ ...deps, pins: releasePins() }, { bundle })).rejects.toThrow(`k3s has sha256 ${sha256Text(K3S)}, expected ${K3S_PINS.binary} (k3s ${K3S_VERSION}): refusing it`);
  await expect(initServer({ ...deps, isRoot: () => false }, { bundle })).rejects.toThrow("berth serve must run as root");
  await expect(initServer(deps, { bundle, address: "10.0.0.5; rm -rf /" })).rejects.toThrow('--address "10.0.0.5; rm -rf /": expected an IPv4 address or a host name');
  await expect(initServer({ ...deps, defaultAddress: () => null }, { bundle })).rejects.toThrow("pass --address");
  await expect(initServer(deps, { bundle: join(bundle, "nope") })).rejects.toThrow("not a folder");
  expect(installs).toEqual([]);
});

test("without docker-registry installed it says so in one line, before anything is written", async () => {
  const refused = initServer({ ...deps, registry: fakeRegistry("the fleet's registry needs /usr/bin/docker-registry, which is not installed: apt-get install docker-registry") }, { bundle });
  await expect(refused).rejects.toThrow("the fleet's registry needs /usr/bin/docker-registry, which is not installed: apt-get install docker-registry");
  expect(existsSync(join(root, "usr/local/bin/k3s"))).toBe(false);
  expect(installs).toEqual([]);
  expect(deps.store.server()).toBeNull();
});

test("a registry that fails to start fails init after the server is recorded: a second run keeps the tokens and only starts the registry", async () => {
  const failing: FleetRegistryHost = { ...fakeRegistry(), start: async () => Promise.reject(new Error("the registry exited (1); its last lines: listen tcp 10.0.0.5:5000: bind: address already in use")) };
  await expect(initServer({ ...deps, registry: failing }, { bundle })).rejects.toThrow("address already in use");
  const tokens = deps.store.server()!.tokenSealed;
  const again = await initServer(deps, { bundle });
  expect(deps.store.server()!.tokenSealed).toBe(tokens);
  expect(again.steps.filter((s) => s.outcome !== "unchanged")).toEqual([{ what: "registry at 10.0.0.5:5000", outcome: "ran" }]);
  expect(installs).toHaveLength(1);
});

test("the registry's files changing (a new CA) are written and k3s is restarted to read them", async () => {
  await initServer(deps, { bundle });
  const renewed: FleetRegistryHost = { ...fakeRegistry(), nodeFiles: async (host) => ({ registriesYaml: `mirrors:\n  ${host}:5000: {}\n`, caPem: "another CA\n" }) };
  const again = await initServer({ ...deps, registry: renewed }, { bundle });
  expect(again.steps.find((s) => s.what.startsWith("registry CA"))?.outcome).toBe("written");
  expect(installs).toHaveLength(2);
});
