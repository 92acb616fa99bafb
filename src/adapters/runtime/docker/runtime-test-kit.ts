// Test support for the Docker runtime on the real engine prepared by scripts/test-env/setup.sh.
// No engine means every test of the file fails with a message saying so: nothing is skipped.
// Each test file gets its own project name; afterAll removes every environment it used (with
// volumes) and the foreign objects it made with the docker CLI.
import { afterAll, beforeAll } from "bun:test";
import Dockerode from "dockerode";
import type { ApplyHooks, BlockPlan, Upstream } from "../../../ports/runtime.ts";
import { isNotFound } from "../../docker/engine-errors.ts";
import { loadTestEnv } from "../../../../test/support/test-env.ts";
import { type DockerRuntimeOptions, createDockerRuntime } from "./runtime.ts";

/** Fast timings so a replace takes about a second; health timeout stays generous for slow CI. */
export const FAST: DockerRuntimeOptions = { healthTimeoutMs: 15_000, drainMs: 300, stopGraceSeconds: 2, settleMs: 1_000 };

export function useRuntimeTestKit() {
  const busybox = loadTestEnv().images.busybox;
  const docker = new Dockerode();
  const project = `rt-${crypto.randomUUID().slice(0, 8)}`;
  const runtime = createDockerRuntime(docker, FAST);
  const envs = new Set<string>();
  const foreign: string[][] = [];
  let counter = 0;

  beforeAll(async () => {
    await docker.ping().catch((error: unknown) => {
      throw new Error(`Docker engine not reachable (${String(error)}): run \`bash scripts/test-env/setup.sh\` as root first`);
    });
  });

  afterAll(async () => {
    for (const env of envs) await runtime.remove(project, env, { purgeVolumes: true });
    for (const argv of foreign.reverse()) sh(argv);
  });

  /** A fresh environment name, cleaned up after the file. */
  function env(): string {
    const name = `e${++counter}`;
    envs.add(name);
    return name;
  }

  /** A busybox httpd block serving `text` at / on port 8080. */
  function httpBlock(block: string, text: string, extra: Partial<BlockPlan> = {}): BlockPlan {
    return {
      block,
      kind: "website",
      image: busybox,
      env: {},
      command: ["sh", "-c", `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 8080 -h /www`],
      port: 8080,
      healthPath: "/",
      replicas: 1,
      volumes: [],
      hash: `${block}-${text}`,
      ...extra,
    };
  }

  /** Run a docker CLI command now (its output is the object's id) and `undo(id)` in afterAll. */
  function foreignObject(argv: string[], undo: (id: string) => string[]): string {
    const result = sh(argv);
    if (result.code !== 0) throw new Error(`${argv.join(" ")} failed: ${result.out}`);
    foreign.push(undo(result.out));
    return result.out;
  }

  return { docker, project, runtime, busybox, env, httpBlock, foreignObject };
}

/** Hooks that record every call in order; `events` also gets entries the test pushes itself. */
export function recordingHooks(onSwitch?: (block: string, upstreams: Upstream[]) => Promise<void> | void) {
  const logs: string[] = [];
  const switches: { block: string; upstreams: Upstream[] }[] = [];
  const events: string[] = [];
  const hooks: ApplyHooks = {
    log: (line) => {
      logs.push(line);
      events.push(`log ${line}`);
    },
    switchTraffic: async (block, upstreams) => {
      switches.push({ block, upstreams });
      events.push(`switch ${block}`);
      await onSwitch?.(block, upstreams);
    },
  };
  return { hooks, logs, switches, events };
}

export async function get(upstream: Upstream | undefined, path = "/"): Promise<string> {
  if (!upstream) throw new Error("no upstream to call");
  const response = await fetch(`http://${upstream.host}:${upstream.port}${path}`, { signal: AbortSignal.timeout(3000) });
  return (await response.text()).trim();
}

export function sh(argv: string[]): { code: number; out: string } {
  const result = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  return { code: result.exitCode, out: (result.stdout.toString() + result.stderr.toString()).trim() };
}

/** Container state as the engine reports it, or "gone". */
export async function stateOf(docker: Dockerode, id: string): Promise<string> {
  return docker
    .getContainer(id)
    .inspect()
    .then(
      (info) => info.State.Status,
      (error: unknown) => {
        if (isNotFound(error)) return "gone";
        throw error;
      },
    );
}
