import type Dockerode from "dockerode";
import { readFileSync } from "node:fs";
import { invalid } from "../../core/errors.ts";
import type { ImageRegistry, LocalImage, PushedImage } from "../../ports/image-registry.ts";
import { registryConfig } from "./config-file.ts";
import { ensureCredentials, ensureHttpSecret, type RegistryCredentials } from "./credentials.ts";
import { registryFiles } from "./files.ts";
import { ensureCertificates } from "./pki.ts";
import { writePrivate } from "../../lib/private-file.ts";
import { REGISTRY_BINARY, type RegistryProcess, startRegistryProcess } from "./process.ts";
import { pushImage } from "./push.ts";
import { NODE_CA_FILE, registriesYaml } from "./registries-yaml.ts";
import { serialiser } from "../runtime/serialiser.ts";

export interface RegistryDeps {
  dataDir: string;
  /** `HOST:PORT` the nodes and this machine's engine reach the registry at; image references start with it. */
  address: string;
  /** Where Distribution listens; default every address on the address's port. */
  listen?: string;
  /** More names or addresses the certificate holds besides the address's host. */
  altNames?: string[];
  docker: Dockerode;
  binary?: string;
}

const hostOf = (address: string) => address.slice(0, address.lastIndexOf(":")).replace(/^\[|\]$/g, "");
const portOf = (address: string) => address.slice(address.lastIndexOf(":") + 1);

/**
 * The fleet's registry on the server node: Distribution with TLS from Berth's own CA and one
 * password account, its files in the data dir. `prepare` makes or renews what it needs (CA,
 * certificate, password, config) and is safe to call on every start.
 */
export function createRegistry(deps: RegistryDeps): ImageRegistry & {
  prepare(): Promise<{ caPem: string; credentials: RegistryCredentials }>;
  start(): Promise<RegistryProcess>;
  registriesYaml(caFile?: string): Promise<string>;
  caPem(): string;
  files: ReturnType<typeof registryFiles>;
} {
  if (!/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(deps.address)) throw invalid(`registry address ${JSON.stringify(deps.address)} is not HOST:PORT`);
  const files = registryFiles(deps.dataDir);
  const listen = deps.listen ?? `:${portOf(deps.address)}`;
  // Two pushes of one image share its registry tag: the second waits, so the first's clean-up cannot take the tag from under it.
  const exclusive = serialiser();

  async function prepare() {
    const { caPem } = await ensureCertificates(files, [hostOf(deps.address), ...(deps.altNames ?? [])]);
    const credentials = await ensureCredentials(files);
    writePrivate(files.config, registryConfig(files, listen, ensureHttpSecret(files)));
    return { caPem, credentials };
  }

  return {
    files,
    prepare,
    async start() {
      const { caPem } = await prepare();
      return startRegistryProcess({ binary: deps.binary ?? REGISTRY_BINARY, configFile: files.config, logFile: files.log, address: deps.address, caPem });
    },
    async push(image: LocalImage): Promise<PushedImage> {
      const credentials = await ensureCredentials(files);
      return exclusive(`${image.reference} ${image.id}`, () => pushImage(deps.docker, deps.address, credentials, image));
    },
    async registriesYaml(caFile = NODE_CA_FILE) {
      return registriesYaml(deps.address, await ensureCredentials(files), caFile);
    },
    caPem: () => readFileSync(files.caCert, "utf8"),
  };
}

export type Registry = ReturnType<typeof createRegistry>;
