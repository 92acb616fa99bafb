import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY_PATH, ensureFreshBinary } from "../../scripts/binary-freshness.ts";

export const BINARY = BINARY_PATH;

let fresh = false;
/** The compiled binary, rebuilt first when any of its sources is newer (checked once per process). */
export function freshBinary(): string {
  if (!fresh) ensureFreshBinary();
  fresh = true;
  return BINARY;
}

/** A loopback port nobody listens on right now. */
export function freePort(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the compiled binary with argv (never a shell) and the given environment. */
export async function berth(args: string[], env: Record<string, string>, stdin?: string): Promise<Run> {
  const proc = Bun.spawn([freshBinary(), ...args], { env, stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin), stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/**
 * The server that answered is the one just started: it is still running and takes the owner
 * token it wrote into its own data dir (another install would answer 401).
 */
async function expectOwnServer(url: string, dataDir: string, proc: Bun.Subprocess) {
  if (proc.exitCode !== null) throw new Error(`berth serve exited with code ${proc.exitCode}, yet ${url} answered: another process holds the port`);
  const token = readFileSync(join(dataDir, "admin.token"), "utf8").trim();
  const whoami = await fetch(`${url}/api/whoami`, { headers: { Authorization: `Bearer ${token}` } });
  if (!whoami.ok) throw new Error(`${url} answered /api/whoami with ${whoami.status} to this server's owner token: another process holds the port`);
}

export async function waitForHealth(url: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {}
    await Bun.sleep(50);
  }
  throw new Error(`${url}/healthz did not answer within ${timeoutMs} ms`);
}

/**
 * Deploy timings for tests: the edge polls the DB every 200 ms, so a 300 ms sync still sees
 * every switch; a short drain keeps "no failed request" meaningful while saving seconds.
 */
export const TEST_TIMINGS = { deployDrain: "200ms", deploySettle: "500ms", edgeSync: "300ms", rolloutWatch: "1s" };

/** Options go before a `--`: what follows it is another program's command line (`berth exec … -- CMD`). */
function withOption(args: string[], option: string[]): string[] {
  const end = args.indexOf("--");
  return end === -1 ? [...args, ...option] : [...args.slice(0, end), ...option, ...args.slice(end)];
}

/**
 * `berth serve` from the compiled binary on a fresh data dir; CLI calls with `env` find it by
 * themselves. `settings` (over TEST_TIMINGS) become the `--config` file (JSON is YAML).
 * Its output goes to `serve-*.log` files in its home (a pipe nobody reads would fill and stall it).
 */
export async function startServe(extraArgs: string[] = ["--no-edge"], settings: Record<string, unknown> = {}, envOverrides: Record<string, string> = {}) {
  const home = mkdtempSync(join(tmpdir(), "berth-cli-"));
  // Test domains (example.com and the like) must never reach a real CA: orders fail at once on a
  // closed loopback port unless a test names its own ACME server (Pebble).
  const acme = { acmeDirectory: "http://127.0.0.1:9/directory" };
  writeFileSync(join(home, "config.yaml"), JSON.stringify({ ...TEST_TIMINGS, ...acme, ...settings }));
  extraArgs = [...extraArgs, "--config", join(home, "config.yaml")];
  const port = freePort();
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    BERTH_DATA_DIR: join(home, "data"),
    BERTH_API_LISTEN: `127.0.0.1:${port}`,
    BERTH_EDGE_LISTEN: `127.0.0.1:${freePort()}`,
    BERTH_EDGE_METRICS_LISTEN: `127.0.0.1:${freePort()}`,
    BERTH_EDGE_HTTPS_LISTEN: `127.0.0.1:${freePort()}`,
    // A listener another process must know before serve starts (an ACME test server's validation port).
    ...envOverrides,
  };
  let url = `http://127.0.0.1:${port}`;
  const spawn = async () => {
    // Other installs share the test engine: their labelled containers are not orphans of this one.
    const stamp = Date.now();
    const out = Bun.file(join(home, `serve-${stamp}.out.log`));
    const err = Bun.file(join(home, `serve-${stamp}.err.log`));
    const proc = Bun.spawn([freshBinary(), "serve", "--fresh", ...extraArgs], { env, stdout: out, stderr: err });
    try {
      await waitForHealth(url);
      await expectOwnServer(url, env.BERTH_DATA_DIR, proc);
    } catch (error) {
      proc.kill("SIGKILL");
      await proc.exited;
      const log = existsSync(err.name!) ? readFileSync(err.name!, "utf8").trim().split("\n").slice(-5).join("\n") : "";
      throw new Error(`${(error as Error).message}${log ? `\nserve's stderr:\n${log}` : ""}`);
    }
    return proc;
  };
  // A port found free can be taken by another test's process before serve binds it; then the
  // health check would reach that other server. Up to three tries, each on new ports.
  let proc: Bun.Subprocess | undefined;
  for (let attempt = 1; !proc; attempt++) {
    try {
      proc = await spawn();
    } catch (error) {
      if (attempt === 3) throw error;
      const fresh = freePort();
      env.BERTH_API_LISTEN = `127.0.0.1:${fresh}`;
      url = `http://127.0.0.1:${fresh}`;
      for (const key of ["BERTH_EDGE_LISTEN", "BERTH_EDGE_METRICS_LISTEN", "BERTH_EDGE_HTTPS_LISTEN"] as const) {
        if (!(key in envOverrides)) env[key] = `127.0.0.1:${freePort()}`;
      }
    }
  }
  const stop = async () => {
    proc!.kill("SIGTERM");
    await proc!.exited;
  };
  return {
    get url() {
      return url;
    },
    env,
    home,
    dataDir: env.BERTH_DATA_DIR,
    edgeUrl: `http://${env.BERTH_EDGE_LISTEN}`,
    get proc() {
      return proc!;
    },
    /** Starts `berth serve` again on the same data dir (after a stop or a kill). */
    async restart() {
      proc = await spawn();
    },
    /** A CLI command against this server (with the same --config, so it finds it). */
    run: (args: string[], stdin?: string) => berth(withOption(args, ["--config", join(home, "config.yaml")]), env, stdin),
    stop,
    /** Stops serve and the edge it started (edges outlive serve on purpose), and removes its home. */
    async close() {
      await stop();
      const pidFile = join(env.BERTH_DATA_DIR, "edge.pid");
      const edgePid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8")) : 0;
      if (edgePid) {
        try {
          process.kill(edgePid, "SIGTERM");
        } catch {}
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
