// Test support for builds on the real Docker engine prepared by scripts/test-env/setup.sh.
// No engine means every test of the file fails with a message saying so: nothing is skipped.
// Every image gets `berth.test=1` and a per-file run label; afterAll removes exactly those.
import { afterAll, beforeAll } from "bun:test";
import { rmSync } from "node:fs";
import Dockerode from "dockerode";
import { BerthError } from "../../core/errors.ts";
import type { ImageBuildRequest } from "../../ports/image-builder.ts";
import { expectBerthError } from "../../../test/support/errors.ts";
import { loadTestEnv } from "../../../test/support/test-env.ts";
import { type ContextFiles, writeContextDir } from "./context-files.testing.ts";
import { createImageBuilder } from "./image-builder.ts";

export const MiB = 1024 * 1024;

export function useBuildTestKit() {
  const env = loadTestEnv();
  const docker = new Dockerode();
  const builder = createImageBuilder(docker);
  const run = crypto.randomUUID().slice(0, 8);
  const startedAt = Math.floor(Date.now() / 1000) - 1;
  const labels = { "berth.test": "1", "berth.test.run": run };
  const dirs: string[] = [];
  const containers: string[] = [];
  /** Image ids the builds printed (" ---> id"), to remove the layers of build stages afterwards. */
  const layerIds = new Set<string>();

  let engineUp = false;
  beforeAll(async () => {
    engineUp = await docker.ping().then(() => true, (error: unknown) => {
      throw new Error(`Docker engine not reachable (${String(error)}): run \`bash scripts/test-env/setup.sh\` as root first`);
    });
  });

  afterAll(async () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    if (!engineUp) return;
    for (const id of containers) sh(["docker", "rm", "-f", id]);
    for (const image of await builder.listImages({ "berth.test.run": run })) await docker.getImage(image.id).remove({ force: true });
    // Build-stage layers carry no labels: remove those this run created, untagged ones only, never forced.
    for (const id of layerIds) {
      const info = await docker.getImage(id).inspect().catch(() => null);
      if (!info || info.RepoTags?.length || Date.parse(info.Created) / 1000 < startedAt) continue;
      await docker.getImage(id).remove().catch(() => undefined);
    }
  });

  /** A context folder with these files, removed after the file's tests. */
  function context(files: ContextFiles): string {
    const dir = writeContextDir(files, "berth-build-");
    dirs.push(dir);
    return dir;
  }

  /** A build request with the test labels, a unique tag and generous limits; its log is collected in `log`. */
  function request(contextDir: string, extra: Partial<ImageBuildRequest> = {}) {
    const log: string[] = [];
    const req: ImageBuildRequest = {
      contextDir,
      tag: `berth-test/build-${run}:${crypto.randomUUID().slice(0, 8)}`,
      labels,
      limits: { memoryBytes: 512 * MiB, cpus: 1, timeoutMs: 120_000 },
      onLog: (line) => {
        log.push(line);
        const layer = /^ ---> ([0-9a-f]{12})$/.exec(line);
        if (layer) layerIds.add(layer[1]!);
      },
      ...extra,
    };
    return { req, log };
  }

  /** `docker run --rm` the image with an optional command; exit code and output. */
  const dockerRun = (image: string, ...command: string[]) => sh(["docker", "run", "--rm", "--label", "berth.test=1", image, ...command]);

  /** Start a container in the background (removed in afterAll); returns its id. */
  function dockerStart(...args: string[]): string {
    const started = sh(["docker", "run", "-d", "--label", "berth.test=1", ...args]);
    if (started.code !== 0) throw new Error(`docker run failed: ${started.out}`);
    containers.push(started.out);
    return started.out;
  }

  return { env, docker, builder, run, labels, context, request, dockerRun, dockerStart };
}

export function sh(argv: string[]): { code: number; out: string } {
  const result = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  return { code: result.exitCode, out: (result.stdout.toString() + result.stderr.toString()).trim() };
}

export const failure = (promise: Promise<unknown>): Promise<BerthError> => expectBerthError(promise);

/** Containers (running or not) whose command mentions `token`, as `docker ps -a` lists them. */
export const containersWith = (token: string) =>
  sh(["docker", "ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Command}}"]).out.split("\n").filter((line) => line.includes(token));
