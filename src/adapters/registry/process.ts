import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { BerthError } from "../../core/errors.ts";

/** Debian's `docker-registry` package (Distribution 2.8). */
export const REGISTRY_BINARY = "/usr/bin/docker-registry";

export interface RegistryProcess {
  pid: number;
  /** False once it has exited, whoever ended it. */
  running(): boolean;
  /** SIGTERM, then SIGKILL if it has not stopped within the grace. */
  stop(graceMs?: number): Promise<void>;
}

const lastLines = (file: string, count: number) => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").slice(-count).join("\n") : "");

/** Asks `/v2/` over TLS, trusting only the registry's CA: up means it answers 401 (anonymous is refused) or 200; else why not. */
async function probe(address: string, caPem: string): Promise<{ up: true } | { up: false; why: string }> {
  try {
    const res = await fetch(`https://${address}/v2/`, { tls: { ca: caPem }, signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.status === 401 || res.status === 200 ? { up: true } : { up: false, why: `it answered ${res.status}` };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { up: false, why: `${typeof code === "string" ? `${code}: ` : ""}${String((error as Error).message ?? error).split("\n")[0]!.replace(/^[A-Z_]+: /, "")}` };
  }
}

/** How long a started registry gets to fail its listen after something answered: Distribution exits at once when the port is taken. */
const SETTLE_MS = 300;

/**
 * Starts `docker-registry serve CONFIG` (argv, no shell), its output appended to `logFile`, and
 * waits until it answers at `address` with the certificate the CA signed. Fails with its last
 * log lines when it exits or does not answer in time, and refuses to start when a registry
 * trusted by the same CA already answers there (one left running would hold the port, answer
 * for the new one, and the new one would exit unseen).
 */
export async function startRegistryProcess(options: { binary: string; configFile: string; logFile: string; address: string; caPem: string; timeoutMs?: number }): Promise<RegistryProcess> {
  if (!existsSync(options.binary)) throw new BerthError("unavailable", `${options.binary} is missing: install Debian's docker-registry package (apt-get install docker-registry)`);
  const url = `https://${options.address}/v2/`;
  if ((await probe(options.address, options.caPem)).up) {
    throw new BerthError("conflict", `a registry already answers at ${url} with this data dir's certificate: stop it (is another Berth serve running?) before starting this one`);
  }
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, "a", 0o600);
  let proc: Bun.Subprocess;
  try {
    proc = Bun.spawn([options.binary, "serve", options.configFile], { stdin: "ignore", stdout: log, stderr: log });
  } finally {
    closeSync(log);
  }
  const exited = () => proc.exitCode !== null || proc.signalCode !== null;
  const stop = async (graceMs = 5000) => {
    if (exited()) return;
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
    await proc.exited;
    clearTimeout(timer);
  };
  const fail = async (why: string) => {
    await stop();
    return new BerthError("unavailable", `the registry ${why}; its last lines (${options.logFile}):\n${lastLines(options.logFile, 5)}`);
  };
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await probe(options.address, options.caPem);
    if (answer.up) {
      // Whatever answered, the child must be the one: still running a moment after.
      await Promise.race([proc.exited, Bun.sleep(SETTLE_MS)]);
      if (exited()) throw await fail(`exited (${proc.exitCode ?? proc.signalCode}) although something answers at ${url}`);
      return { pid: proc.pid, stop, running: () => !exited() };
    }
    if (exited()) throw await fail(`exited (${proc.exitCode ?? proc.signalCode})`);
    if (Date.now() > deadline) throw await fail(`did not answer at ${url} within ${timeoutMs} ms (last try: ${answer.why})`);
    await Bun.sleep(100);
  }
}
