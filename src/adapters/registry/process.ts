import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { BerthError } from "../../core/errors.ts";

/** Debian's `docker-registry` package (Distribution 2.8). */
export const REGISTRY_BINARY = "/usr/bin/docker-registry";

export interface RegistryProcess {
  pid: number;
  /** SIGTERM, then SIGKILL if it has not stopped within the grace. */
  stop(graceMs?: number): Promise<void>;
}

const lastLines = (file: string, count: number) => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").slice(-count).join("\n") : "");

/** Asks `/v2/` over TLS, trusting only the registry's CA: up means it answers 401 (anonymous is refused) or 200. */
async function answers(address: string, caPem: string): Promise<boolean> {
  try {
    const res = await fetch(`https://${address}/v2/`, { tls: { ca: caPem }, signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.status === 401 || res.status === 200;
  } catch {
    return false;
  }
}

/**
 * Starts `docker-registry serve CONFIG` (argv, no shell), its output appended to `logFile`, and
 * waits until it answers at `address` with the certificate the CA signed. Fails with its last
 * log lines when it exits or does not answer in time.
 */
export async function startRegistryProcess(options: { binary: string; configFile: string; logFile: string; address: string; caPem: string; timeoutMs?: number }): Promise<RegistryProcess> {
  if (!existsSync(options.binary)) throw new BerthError("unavailable", `${options.binary} is missing: install Debian's docker-registry package (apt-get install docker-registry)`);
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, "a", 0o600);
  let proc: Bun.Subprocess;
  try {
    proc = Bun.spawn([options.binary, "serve", options.configFile], { stdin: "ignore", stdout: log, stderr: log });
  } finally {
    closeSync(log);
  }
  const stop = async (graceMs = 5000) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
    await proc.exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (!(await answers(options.address, options.caPem))) {
    const exited = proc.exitCode !== null || proc.signalCode !== null;
    if (exited || Date.now() > deadline) {
      await stop();
      const why = exited ? `exited (${proc.exitCode ?? proc.signalCode})` : `did not answer at https://${options.address}/v2/ within ${options.timeoutMs ?? 10_000} ms`;
      throw new BerthError("unavailable", `the registry ${why}; its last lines (${options.logFile}):\n${lastLines(options.logFile, 5)}`);
    }
    await Bun.sleep(100);
  }
  return { pid: proc.pid, stop };
}
