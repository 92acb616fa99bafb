// What the deploy benchmarks share around a `berth serve` they start: docker calls for
// clean-up, stopping serve with its edge, removing one project's objects, and Ctrl-C handling.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** `docker ARGS` → its output lines; a failure gives none (clean-up meets objects already gone). */
export function dockerLines(args: string[]): string[] {
  const result = Bun.spawnSync(["docker", ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  return result.stdout.toString().split("\n").filter(Boolean);
}

/** Stops serve and the edge it started: a production edge outlives serve on purpose, a benchmark's must not. */
export async function stopServeAndEdge(server: { stop(): Promise<unknown>; dataDir: string }) {
  await server.stop().catch(() => {});
  try {
    const edgePid = Number(readFileSync(join(server.dataDir, "edge.pid"), "utf8"));
    if (edgePid > 1) process.kill(edgePid, "SIGTERM");
  } catch {} // no edge left running
}

/** Every container, network and volume labelled for the project, and its environments' networks. */
export function removeProjectObjects(project: string, environments: string[]) {
  const label = `label=berth.project=${project}`;
  const containers = dockerLines(["ps", "-aq", "--filter", label]);
  if (containers.length) dockerLines(["rm", "-f", ...containers]);
  for (const network of dockerLines(["network", "ls", "-q", "--filter", label])) dockerLines(["network", "rm", network]);
  for (const environment of environments) dockerLines(["network", "rm", `berth-${project}-${environment}`]);
  const volumes = dockerLines(["volume", "ls", "-q", "--filter", label]);
  if (volumes.length) dockerLines(["volume", "rm", "-f", ...volumes]);
}

/** Ctrl-C and SIGTERM run `cleanup` first, so an interrupted benchmark leaves nothing behind. */
export function cleanUpOnInterrupt(cleanup: () => Promise<void>) {
  let started = false;
  // Kept for every later signal too: a wrapper such as `timeout` passes one on, and a second
  // SIGINT or SIGTERM taking the default action would cut the cleanup short, leaving containers.
  const interrupted = () => {
    if (started) return;
    started = true;
    void cleanup().finally(() => process.exit(130));
  };
  process.on("SIGINT", interrupted);
  process.on("SIGTERM", interrupted);
}

/** A CLI call through the benchmark's serve that must succeed; its output. */
export async function berthOk(server: { run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> }, args: string[]): Promise<string> {
  const result = await server.run(args);
  if (result.code !== 0) throw new Error(`berth ${args.join(" ")} exited with ${result.code}: ${(result.stderr || result.stdout).trim().split("\n").slice(-3).join(" | ")}`);
  return result.stdout;
}
