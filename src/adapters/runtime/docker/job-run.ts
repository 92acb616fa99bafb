import type Dockerode from "dockerode";
import { PassThrough } from "node:stream";
import { engineStatus, isNotFound, toBerthError } from "../../docker/engine-errors.ts";
import type { JobRunner, JobRunSpec } from "../../../ports/job-runner.ts";
import { containerSpec } from "./container-spec.ts";
import { LABEL, envFilter } from "./labels.ts";
import { ensureNetwork } from "./network.ts";

/** How long the output may trail the exit before the run is closed without the rest. */
const OUTPUT_GRACE_MS = 2_000;

/** The engine's create request for a run: a block replica's, with no alias and the run's own label. */
export function jobContainerSpec(spec: JobRunSpec, network: string): Dockerode.ContainerCreateOptions {
  const plan = { ...spec.plan, port: undefined, replicas: 1, healthPath: undefined };
  const created = containerSpec({
    project: spec.project,
    env: spec.environment,
    release: spec.release,
    network,
    name: jobContainerName(spec),
    index: 0,
    block: plan,
    volumes: [],
  });
  return {
    ...created,
    Labels: { ...created.Labels, [LABEL.jobRun]: String(spec.runId) },
    // Not reachable by name: a job calls others, nothing calls a job.
    NetworkingConfig: { EndpointsConfig: { [network]: {} } },
  };
}

export const jobContainerName = (spec: JobRunSpec) => `berth-${spec.project}-${spec.environment}-${spec.plan.block}-run-${spec.runId}`;

export function createDockerJobRunner(docker: Dockerode): JobRunner {
  async function removeMatching(filters: { label: string[] }): Promise<number> {
    const found = await docker.listContainers({ all: true, filters }).catch((error: unknown) => {
      throw toBerthError(error, "listing job containers");
    });
    await Promise.all(found.map((c) => forceRemove(docker, c.Id)));
    return found.length;
  }

  return {
    async run(spec, onLine, signal) {
      signal.throwIfAborted();
      const network = await ensureNetwork(docker, spec.project, spec.environment);
      const container = await docker.createContainer(jobContainerSpec(spec, network)).catch((error: unknown) => {
        throw toBerthError(error, `creating the container of job ${spec.plan.block}`);
      });
      const kill = () => void container.kill().catch(() => undefined);
      try {
        await container.start().catch((error: unknown) => {
          throw toBerthError(error, `starting the container of job ${spec.plan.block}`);
        });
        signal.addEventListener("abort", kill, { once: true });
        if (signal.aborted) kill();
        const output = followOutput(docker, container, onLine);
        const { StatusCode } = (await container.wait()) as { StatusCode: number };
        await Promise.race([output, Bun.sleep(OUTPUT_GRACE_MS)]);
        return { exitCode: StatusCode };
      } finally {
        signal.removeEventListener("abort", kill);
        await forceRemove(docker, container.id);
      }
    },

    async removeRuns(runs) {
      let removed = 0;
      for (const run of runs) removed += await removeMatching({ label: [...envFilter(run.project, run.environment).label, `${LABEL.jobRun}=${run.runId}`] });
      return removed;
    },
    removeEnvironment: (project, environment) => removeMatching({ label: [...envFilter(project, environment).label, LABEL.jobRun] }),
  };
}

/** Each line the container writes, stdout and stderr as they come; resolves when the output ends. */
async function followOutput(docker: Dockerode, container: Dockerode.Container, onLine: (line: string) => void): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await container.logs({ follow: true, stdout: true, stderr: true })) as unknown as NodeJS.ReadableStream;
  } catch {
    // Gone already (removed by a kill): nothing more to read.
    return;
  }
  const done: Promise<void>[] = [];
  const split = () => {
    const through = new PassThrough();
    let partial = "";
    through.setEncoding("utf8");
    through.on("data", (chunk: string) => {
      const parts = (partial + chunk).split(/\r?\n/);
      partial = parts.pop() ?? "";
      for (const line of parts) onLine(line);
    });
    done.push(new Promise((resolve) => through.on("end", () => {
      if (partial !== "") onLine(partial);
      resolve();
    })));
    return through;
  };
  const out = split();
  const err = split();
  docker.modem.demuxStream(stream, out, err);
  await new Promise<void>((resolve) => {
    stream.on("end", resolve);
    stream.on("close", resolve);
    stream.on("error", () => resolve());
  });
  out.end();
  err.end();
  await Promise.all(done);
}

async function forceRemove(docker: Dockerode, id: string): Promise<void> {
  await docker
    .getContainer(id)
    .remove({ force: true, v: true })
    .catch((error: unknown) => {
      // 409: the engine is already removing it.
      if (!isNotFound(error) && engineStatus(error) !== 409) throw toBerthError(error, `removing job container ${id.slice(0, 12)}`);
    });
}
