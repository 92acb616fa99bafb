import type Dockerode from "dockerode";
import { PassThrough, type Duplex } from "node:stream";
import { notFound } from "../../../core/errors.ts";
import type { ExecRequest, ExecSession } from "../../../ports/runtime.ts";
import { toBerthError } from "../../docker/engine-errors.ts";
import { listReplicas } from "./containers.ts";

/**
 * `docker exec` in the newest running replica with that index: the engine's hijacked stream
 * carries input and output; without a TTY it is multiplexed and split into stdout and stderr.
 */
export async function execInReplica(docker: Dockerode, request: ExecRequest): Promise<ExecSession> {
  const { project, environment, block, replica } = request;
  const candidates = (await listReplicas(docker, project, environment)).filter((r) => r.block === block && r.index === replica && r.state === "running");
  const target = candidates.at(-1);
  if (!target) throw notFound(`a running replica ${replica} of ${project}/${environment}/${block}`);
  const doing = `starting a command in ${target.name}`;
  const exec = await docker
    .getContainer(target.id)
    .exec({ Cmd: request.command, AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: request.tty })
    .catch((error: unknown) => {
      throw toBerthError(error, doing);
    });
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: request.tty }).catch((error: unknown) => {
    throw toBerthError(error, doing);
  })) as Duplex;

  const listeners: ((data: Uint8Array, stream: "stdout" | "stderr") => void)[] = [];
  const emit = (name: "stdout" | "stderr") => (chunk: Buffer) => listeners.forEach((listener) => listener(chunk, name));
  if (request.tty) stream.on("data", emit("stdout"));
  else {
    const stdout = new PassThrough().on("data", emit("stdout"));
    const stderr = new PassThrough().on("data", emit("stderr"));
    docker.modem.demuxStream(stream, stdout, stderr);
  }
  const exited = new Promise<number>((resolve) => {
    let done = false;
    const finish = async () => {
      if (done) return;
      done = true;
      const info = await exec.inspect().catch(() => null);
      // Still running when the stream closed (the client left): the shell is killed with the socket.
      resolve(info?.ExitCode ?? 137);
    };
    stream.on("end", finish);
    stream.on("close", finish);
    stream.on("error", finish);
  });
  return {
    onOutput: (listener) => void listeners.push(listener),
    write: (data) => new Promise<void>((resolve) => void stream.write(data, () => resolve())),
    endInput: () => void stream.end(),
    async resize(columns, rows) {
      if (!request.tty) return;
      await exec.resize({ w: columns, h: rows }).catch(() => undefined);
    },
    exited,
    close: () => void stream.destroy(),
  };
}
