import { existsSync, readFileSync } from "node:fs";
import { parse as parseEnv } from "dotenv";
import { hostEnv, isCompiled, loadConfig, localUrl } from "../../config.ts";
import { downloadRelease, releaseFolder } from "../../upgrade/release-download.ts";
import { moveQueuedConnections } from "../../upgrade/kernel.ts";
import { hostSystemd } from "../../upgrade/systemd.ts";
import { upgrade } from "../../upgrade/upgrade.ts";
import { json } from "../output.ts";
import { UsageError, type Verb } from "../verb.ts";

const ENV_FILE = "/etc/berth/berth.env";

function freePort(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

export const upgradeVerb: Verb = {
  name: "upgrade",
  summary: "Upgrade this machine's install (as root): swap the binary, migrate once, restart serve, hand the edge over without dropping a request",
  options: { version: { type: "string" }, file: { type: "string" }, from: { type: "string" }, "env-file": { type: "string" }, json: { type: "boolean" } },
  optionHelp: [
    "--version V      the release to install (default: the latest)",
    "--file PATH      install this binary instead of downloading one",
    "--from URL       the release folder to download from (berth-linux-<arch> and SHA256SUMS)",
    `--env-file F     the units' settings (default ${ENV_FILE})`,
    "--json           print JSON",
  ],
  async run({ values, out }) {
    if (values.file && (values.version || values.from)) throw new UsageError("choose --file, or --version/--from");
    if (!isCompiled()) throw new Error("this berth runs from a source checkout: there is no installed binary to upgrade (pull and rebuild instead)");
    const envFile = (values["env-file"] as string | undefined) ?? ENV_FILE;
    const fileEnv = existsSync(envFile) ? parseEnv(readFileSync(envFile)) : {};
    const env = { ...(hostEnv() as Record<string, string>), ...fileEnv };
    const config = loadConfig({ env });
    let candidate: Buffer;
    if (values.file) {
      try {
        candidate = readFileSync(values.file as string);
      } catch (error) {
        throw new Error(`cannot read ${values.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    } else {
      const folder = (values.from as string | undefined) ?? releaseFolder(values.version as string | undefined);
      out(`upgrade: downloading from ${folder}`);
      candidate = await downloadRelease(folder);
    }
    const result = await upgrade(candidate, {
      binaryPath: process.execPath,
      dataDir: config.dataDir,
      env,
      apiUrl: localUrl(config.apiListen),
      edgeMetricsUrl: localUrl(config.edgeMetricsListen),
      systemd: hostSystemd,
      moveQueuedConnections: () => moveQueuedConnections(),
      log: values.json ? () => {} : out,
      freePort,
    });
    if (values.json) return out(json(result));
    out(`upgrade: done, berth ${result.to} (was ${result.from})`);
  },
};
