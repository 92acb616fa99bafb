import { DROPPED_CAPABILITIES } from "../capabilities.ts";
import type Dockerode from "dockerode";
import type { BlockPlan } from "../../../ports/runtime.ts";
import { LABEL, envLabels } from "./labels.ts";
import type { VolumeMount } from "./volumes.ts";

export interface ReplicaTarget {
  project: string;
  env: string;
  release: number;
  network: string;
  name: string;
  index: number;
  block: BlockPlan;
  volumes: VolumeMount[];
}

/** The engine's create request for one replica: a pure function of the plan, tested as such. */
export function containerSpec(target: ReplicaTarget): Dockerode.ContainerCreateOptions {
  const { block } = target;
  const portKey = block.port === undefined ? undefined : `${block.port}/tcp`;
  // An explicit PORT in the plan wins: it is the user's word, and the plan builder set `port` from it.
  const env = { ...(block.port === undefined ? {} : { PORT: String(block.port) }), ...block.env };
  const hostConfig: Dockerode.HostConfig = {
    // docker-init as PID 1 forwards SIGTERM and reaps zombies, so stops are clean and quick.
    Init: true,
    // No restarts until the replica passed its health check (then `unless-stopped`): a crash during
    // the check stays visible as an exit with its code, instead of a restart loop hiding it.
    RestartPolicy: { Name: "no", MaximumRetryCount: 0 },
    NetworkMode: target.network,
    // Without rotation the default json-file log grows until the disk is full.
    LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } },
    Mounts: target.volumes.map((volume) => ({ Type: "volume", Source: volume.name, Target: volume.path })),
  };
  // An empty HostPort asks the engine for a free port; binding 127.0.0.1 keeps it off the internet.
  if (portKey) hostConfig.PortBindings = { [portKey]: [{ HostIp: "127.0.0.1", HostPort: "" }] };
  if (block.memoryBytes) {
    hostConfig.Memory = block.memoryBytes;
    // Equal to Memory: no swap on top, so going over the limit is an OOM kill rather than thrashing.
    hostConfig.MemorySwap = block.memoryBytes;
  }
  if (block.cpus) hostConfig.NanoCpus = Math.round(block.cpus * 1e9);
  // A fork bomb or a thread leak stops at the limit instead of exhausting the host's PIDs.
  if (block.pidsLimit) hostConfig.PidsLimit = block.pidsLimit;
  if ((block.privileges ?? "restricted") === "restricted") {
    // setuid binaries cannot raise privileges, and the rarely needed capabilities are gone.
    hostConfig.SecurityOpt = ["no-new-privileges"];
    hostConfig.CapDrop = [...DROPPED_CAPABILITIES];
  }

  const spec: Dockerode.ContainerCreateOptions = {
    name: target.name,
    Image: block.image,
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    Labels: {
      ...envLabels(target.project, target.env),
      [LABEL.block]: block.block,
      [LABEL.release]: String(target.release),
      [LABEL.hash]: block.hash,
      [LABEL.replica]: String(target.index),
      [LABEL.replicas]: String(block.replicas),
    },
    HostConfig: hostConfig,
    // The alias is the block name: other blocks of the environment reach it as `db:5432`.
    NetworkingConfig: { EndpointsConfig: { [target.network]: { Aliases: [block.block] } } },
  };
  if (portKey) spec.ExposedPorts = { [portKey]: {} };
  if (block.command) spec.Cmd = block.command;
  if (block.user) spec.User = block.user;
  // Also what `docker stop` without a timeout uses, so the grace holds whoever stops it.
  if (block.stopGraceSeconds !== undefined) spec.StopTimeout = block.stopGraceSeconds;
  return spec;
}

