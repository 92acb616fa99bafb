export interface WrkOptions {
  url: string;
  headers?: Record<string, string>;
  threads: number;
  connections: number;
  durationSeconds: number;
}

export interface WrkResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  /** Latency percentiles in ms, from `--latency`. */
  p50Ms: number;
  p99Ms: number;
  /** Responses outside 2xx/3xx, and socket errors of every kind (connect, read, write, timeout). */
  non2xx: number;
  socketErrors: number;
  /** wrk's own user + system CPU seconds: on a shared machine the load generator competes with the proxy. */
  cpuSeconds?: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const COUNT_SCALE: Record<string, number> = { "": 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9 };

/** "512.34us" → 0.51234 (ms). */
export function parseDuration(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!match) throw new Error(`wrk: not a duration: ${JSON.stringify(text)}`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

function need(output: string, pattern: RegExp, what: string): RegExpExecArray {
  const match = pattern.exec(output);
  if (!match) throw new Error(`wrk: no ${what} in its output:\n${output}`);
  return match;
}

/** Reads wrk 4's report; every figure it relies on must be there, or it says which is missing. */
export function parseWrk(output: string): WrkResult {
  const total = need(output, /^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)/m, "request count");
  const rate = need(output, /^Requests\/sec:\s+([\d.]+)([kKMG]?)\s*$/m, "Requests/sec");
  const p50 = need(output, /^\s*50(?:\.0+)?%\s+(\S+)\s*$/m, "50% latency (was --latency passed?)");
  const p99 = need(output, /^\s*99(?:\.0+)?%\s+(\S+)\s*$/m, "99% latency (was --latency passed?)");
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  return {
    requests: Number(total[1]),
    seconds: (Number(total[2]) * UNIT_MS[total[3]!]!) / 1000,
    requestsPerSecond: Number(rate[1]) * COUNT_SCALE[rate[2]!]!,
    p50Ms: parseDuration(p50[1]!),
    p99Ms: parseDuration(p99[1]!),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
  };
}

/** One wrk run against a loopback URL; throws with wrk's output when it fails. */
export async function wrk(options: WrkOptions): Promise<WrkResult> {
  const host = new URL(options.url).hostname;
  if (host !== "127.0.0.1" && host !== "localhost" && host !== "[::1]") throw new Error(`wrk: refusing to load ${options.url}: loopback only`);
  const argv = ["wrk", `-t${options.threads}`, `-c${options.connections}`, `-d${options.durationSeconds}s`, "--latency"];
  for (const [name, value] of Object.entries(options.headers ?? {})) argv.push("-H", `${name}: ${value}`);
  argv.push(options.url);
  const proc = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`wrk exited with ${code}: ${stderr.trim() || stdout.trim()}`);
  const usage = proc.resourceUsage();
  return { ...parseWrk(stdout), cpuSeconds: usage ? Number(usage.cpuTime.user + usage.cpuTime.system) / 1e6 : undefined };
}
