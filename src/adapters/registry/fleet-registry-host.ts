import type Dockerode from "dockerode";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writePublic } from "../../lib/private-file.ts";
import type { FleetRegistryHost, NodeRegistryFiles } from "../../ports/fleet-registry.ts";
import type { ImageRegistry } from "../../ports/image-registry.ts";
import type { RegistryProcess } from "./process.ts";
import { REGISTRY_BINARY } from "./process.ts";
import { createRegistry, type Registry } from "./registry.ts";
import { serialiser } from "../runtime/serialiser.ts";

/** Where Docker looks for the CA of a registry, per `HOST:PORT`; read on each push, no restart. */
export const DOCKER_CERTS_DIR = "/etc/docker/certs.d";

export interface FleetRegistryHostDeps {
  dataDir: string;
  /** The port the registry listens on, at the server node's address (setting `fleetRegistryPort`). */
  port: number;
  docker: Dockerode;
  binary?: string;
  /** Default /etc/docker/certs.d. */
  certsDir?: string;
}

/** `HOST:PORT`, an IPv6 address in brackets. */
const addressOf = (host: string, port: number) => `${host.includes(":") ? `[${host}]` : host}:${port}`;

/**
 * The fleet's registry on the server node, run by this process: at most one at a time, listening
 * on the address agents reach the node at (not every address: the registry answers the fleet,
 * nothing else). `current()` is the running one, for pushes, once a start under way has ended.
 */
export function createFleetRegistryHost(deps: FleetRegistryHostDeps): FleetRegistryHost & { current(): Promise<ImageRegistry | undefined> } {
  const binary = deps.binary ?? REGISTRY_BINARY;
  const certsDir = deps.certsDir ?? DOCKER_CERTS_DIR;
  let running: { address: string; registry: Registry; proc: RegistryProcess } | null = null;
  // A start from init and the one at serve's start must not race each other for the port.
  const exclusive = serialiser();

  const registryFor = (host: string) => {
    const address = addressOf(host, deps.port);
    return createRegistry({ dataDir: deps.dataDir, address, listen: address, docker: deps.docker, binary });
  };

  /** This machine's engine pushes there, trusting Berth's CA for that registry only. */
  function trustOnEngine(address: string, caPem: string) {
    const file = join(certsDir, address, "ca.crt");
    if (existsSync(file) && readFileSync(file, "utf8") === caPem) return;
    mkdirSync(join(certsDir, address), { recursive: true, mode: 0o755 });
    writePublic(file, caPem);
  }

  async function stop() {
    const was = running;
    running = null;
    await was?.proc.stop();
  }

  return {
    missing: () => (existsSync(binary) ? null : `the fleet's registry needs ${binary}, which is not installed: apt-get install docker-registry`),

    async nodeFiles(host): Promise<NodeRegistryFiles> {
      const registry = registryFor(host);
      const { caPem } = await registry.prepare();
      return { registriesYaml: await registry.registriesYaml(), caPem };
    },

    start: (host) =>
      exclusive("start", async () => {
        const address = addressOf(host, deps.port);
        // Still ours and still running: a second init changes nothing.
        if (running?.address === address && running.proc.running()) return { address, outcome: "running" as const };
        await stop();
        const registry = registryFor(host);
        const { caPem } = await registry.prepare();
        trustOnEngine(address, caPem);
        running = { address, registry, proc: await registry.start() };
        return { address, outcome: "started" as const };
      }),

    stop: () => exclusive("start", stop),

    // After any start under way (serve's own at boot may still be starting when a deploy asks).
    current: () => exclusive("start", async () => (running?.proc.running() ? running.registry : undefined)),
  };
}
