import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY as SERVE_BINARY, startServe } from "../../test/support/binary.ts";
import { createRepo, loadTestEnv, type TestRepo } from "../../test/support/test-env.ts";
import { cleanUpOnInterrupt, dockerLines, removeProjectObjects, stopServeAndEdge } from "./project-objects.ts";
import { requireBinary, requireTestEnv } from "./tools.ts";

export const ENVIRONMENT = "dev";
export const BLOCK = "web";

export interface TimedLine {
  /** ms since the command was spawned, when the line reached this process. */
  at: number;
  text: string;
}

export interface TimedRun {
  code: number;
  ms: number;
  lines: TimedLine[];
  stderr: string;
}

/**
 * A `berth serve` (with its edge) on a fresh data dir and free ports, and a project with one
 * website block built from a local git repo (busybox httpd serving index.html).
 */
export async function startSite(name: string) {
  requireTestEnv();
  requireBinary();
  const images = loadTestEnv().images;
  const project = `${name}${crypto.randomUUID().slice(0, 6)}`;
  const repo: TestRepo = createRepo(name, {
    Dockerfile: `FROM ${images.busybox}\nCOPY index.html /www/index.html\nCMD ["httpd", "-f", "-p", "8080", "-h", "/www"]\n`,
    "index.html": "v0\n",
  });
  const server = await startServe([], { imagesKept: 3 });
  const configArgs = ["--config", join(server.home, "config.yaml")];
  const host = `${BLOCK}.${ENVIRONMENT}.${project}.localhost`;
  let cleaned = false;

  /** The binary with argv, each stdout line timestamped as it arrives. */
  async function timed(args: string[]): Promise<TimedRun> {
    const started = performance.now();
    const proc = Bun.spawn([SERVE_BINARY, ...args, ...configArgs], { env: server.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const lines: TimedLine[] = [];
    const stderr = new Response(proc.stderr).text();
    const decoder = new TextDecoder();
    let partial = "";
    const reader = proc.stdout.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const at = performance.now() - started;
      const parts = (partial + decoder.decode(value, { stream: true })).split("\n");
      partial = parts.pop()!;
      for (const text of parts) lines.push({ at, text });
    }
    if (partial) lines.push({ at: performance.now() - started, text: partial });
    const code = await proc.exited;
    return { code, ms: performance.now() - started, lines, stderr: await stderr };
  }

  async function run(args: string[], stdin?: string) {
    const result = await server.run(args, stdin);
    if (result.code !== 0) throw new Error(`berth ${args.join(" ")} exited with ${result.code}: ${(result.stderr || result.stdout).trim()}`);
    return result.stdout;
  }

  /** `berth deploy --wait`; throws with the reason when the release fails. */
  async function deploy(): Promise<TimedRun> {
    const result = await timed(["deploy", project, ENVIRONMENT, "--wait"]);
    if (result.code !== 0) throw new Error(`berth deploy ${project} ${ENVIRONMENT} --wait exited with ${result.code}: ${result.stderr.trim() || result.lines.at(-1)?.text}`);
    return result;
  }

  /** Everything this run made: serve, its edge, containers, network, volumes and images of the project, the repo. */
  async function cleanup() {
    if (cleaned) return;
    cleaned = true;
    await stopServeAndEdge(server);
    removeProjectObjects(project, [ENVIRONMENT]);
    const images = [...new Set(dockerLines(["image", "ls", "-q", "--filter", `label=berth.project=${project}`]))];
    if (images.length) dockerLines(["rmi", "-f", ...images]);
    repo.remove();
    rmSync(server.home, { recursive: true, force: true });
  }

  // Ctrl-C must not leave containers behind.
  cleanUpOnInterrupt(cleanup);

  try {
    const file = join(server.home, "berth.yaml");
    writeFileSync(
      file,
      `project: ${project}
blocks:
  ${BLOCK}:
    kind: website
    git: { url: "${repo.httpUrl}" }
    port: 8080
    health: /
environments:
  ${ENVIRONMENT}: {}
`,
    );
    await run(["apply", "-f", file]);
  } catch (error) {
    await cleanup();
    throw error;
  }

  return {
    project,
    repo,
    server,
    /** The website's host name at the edge. */
    host,
    /** A GET of the website through the edge. */
    get: (init: RequestInit = {}) => fetch(`${server.edgeUrl}/`, { ...init, headers: { Host: host } }),
    run,
    deploy,
    cleanup,
  };
}

export type Site = Awaited<ReturnType<typeof startSite>>;
