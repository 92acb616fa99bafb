import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { isCompiled, localUrl, type Config } from "../config.ts";
import { edgeFiles } from "./files.ts";

interface Health {
  pid: number;
  version: string;
}

export async function edgeHealth(metricsUrl: string): Promise<Health | null> {
  try {
    const response = await fetch(`${metricsUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
    return response.ok ? ((await response.json()) as Health) : null;
  } catch {
    return null;
  }
}

/**
 * The process exists and is not a zombie. An adopted edge whose parent died is reaped by init,
 * which may take its time; until then `kill(pid, 0)` still succeeds, so /proc is asked first.
 */
export function alive(pid: number): boolean {
  try {
    // "pid (name) S …": the state follows the last ")", as the name may hold one.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

function readPid(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, "utf8").trim());
    return Number.isInteger(pid) && pid > 1 ? pid : null;
  } catch {
    return null;
  }
}

function lastLine(path: string): string {
  try {
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    return lines[lines.length - 1]!.replace(/^(\S+Z )?error: /, "");
  } catch {
    return "no log";
  }
}

/** `berth edge` as this very program runs it: the compiled binary, or bun with the source entry point. */
export function edgeCommand(configFile?: string): string[] {
  const base = isCompiled() ? [process.execPath, "edge"] : [process.execPath, join(import.meta.dir, "..", "main.ts"), "edge"];
  return configFile ? [...base, "--config", resolve(configFile)] : base;
}

/**
 * Makes sure an edge serves this data dir: adopts the one `edge.pid` names if it answers
 * `/healthz` with that pid, else starts `berth edge` in its own session with its output in
 * `logs/edge.log`, so stopping, killing or upgrading `berth serve` never takes the sites down.
 */
export interface RunningEdge {
  pid: number;
  adopted: boolean;
  /** Only for an edge this process started: settles with how it ended. */
  exited?: Promise<string>;
}

export async function ensureEdge(config: Config, log: (line: string) => void, options: { configFile?: string; timeoutMs?: number } = {}): Promise<RunningEdge> {
  const files = edgeFiles(config.dataDir);
  const metricsUrl = localUrl(config.edgeMetricsListen);
  const recorded = readPid(files.pid);
  const running = await edgeHealth(metricsUrl);
  if (recorded && running?.pid === recorded && alive(recorded)) {
    log(`edge: adopted running edge (pid ${recorded}${running.version ? `, version ${running.version}` : ""})`);
    return { pid: recorded, adopted: true };
  }
  if (running) {
    throw new Error(`edge: another edge (pid ${running.pid}) answers on ${metricsUrl} but ${files.pid} does not name it; stop it first`);
  }

  mkdirSync(dirname(files.log), { recursive: true, mode: 0o700 });
  const out = openSync(files.log, "a", 0o600);
  const [command, ...args] = edgeCommand(options.configFile);
  // Its own session and process group: neither Ctrl-C in serve's terminal nor serve's death reaches it.
  // The environment passes through unchanged, so BERTH_* settings agree with serve's.
  const child = spawn(command!, args, { detached: true, stdio: ["ignore", out, out], cwd: config.dataDir });
  closeSync(out);
  let ended: string | null = null;
  const exited = new Promise<string>((resolve) => {
    child.on("exit", (code, signal) => resolve((ended = signal ?? `exit status ${code}`)));
    child.on("error", (error) => resolve((ended = error.message)));
  });
  child.unref();

  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (ended !== null) throw new Error(`${lastLine(files.log)} (edge ${ended}; log: ${files.log})`);
    const answer = await edgeHealth(metricsUrl);
    if (answer && answer.pid === child.pid) {
      log(`edge: started (pid ${child.pid}), log in ${files.log}`);
      return { pid: child.pid, adopted: false, exited };
    }
    await Bun.sleep(50);
  }
  child.kill("SIGTERM");
  throw new Error(`edge: no answer on ${metricsUrl}/healthz within ${timeoutMs} ms (log: ${files.log})`);
}
