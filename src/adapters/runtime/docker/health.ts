import type Dockerode from "dockerode";
import type { BlockPlan, Upstream } from "../../../ports/runtime.ts";
import { isNotFound, toBerthError } from "../../docker/engine-errors.ts";
import { httpProbe, tcpProbe } from "./probes.ts";

export interface HealthTiming {
  timeoutMs: number;
  pollMs: number;
  /** How long a replica without a port must stay up to count as started. */
  settleMs: number;
}

export type Health = { ok: true; upstream: Upstream | null } | { ok: false; failure: string };

export interface HealthTarget {
  id: string;
  index: number;
  block: BlockPlan;
  network: string;
  /** Restarts already counted before this check (0 for a replica just created). */
  restartsBefore?: number;
}

export type Inspect = (id: string) => Promise<Dockerode.ContainerInspectInfo>;

/**
 * Polls one replica until it is healthy, exits, or the timeout passes. A restart counts as an
 * exit: a replica found running may already be under `unless-stopped`, where a crashing process
 * is back up before the next poll. `inspect` may answer from the runtime's event-fed cache.
 */
export async function waitHealthy(inspect: Inspect, target: HealthTarget, timing: HealthTiming, signal: AbortSignal): Promise<Health> {
  const { block, index } = target;
  const started = Date.now();
  let restartsBefore = target.restartsBefore;
  let lastError = "not probed yet";
  let probed = "";
  for (;;) {
    if (signal.aborted) return { ok: false, failure: "check abandoned" };
    const info = await inspectOrNull(inspect, target.id);
    if (!info) return { ok: false, failure: `replica ${index} disappeared` };
    const state = info.State;
    restartsBefore ??= info.RestartCount;
    if (state.OOMKilled) return { ok: false, failure: `replica ${index} was killed for going over its memory limit` };
    if (!state.Running || state.Restarting || info.RestartCount > restartsBefore) {
      return { ok: false, failure: `replica ${index} exited with code ${state.ExitCode}` };
    }

    const elapsed = Date.now() - started;
    if (block.port === undefined) {
      if (elapsed >= timing.settleMs) return { ok: true, upstream: null };
    } else {
      const hostPort = Number(info.NetworkSettings.Ports?.[`${block.port}/tcp`]?.find((b) => b.HostIp === "127.0.0.1")?.HostPort);
      if (!hostPort) return { ok: false, failure: `replica ${index} has no port published on 127.0.0.1` };
      if (block.healthPath) {
        probed = `GET ${block.healthPath} on 127.0.0.1:${hostPort}`;
        const error = await httpProbe(`http://127.0.0.1:${hostPort}${block.healthPath}`);
        if (error === null) return { ok: true, upstream: { host: "127.0.0.1", port: hostPort } };
        lastError = error;
      } else {
        const ip = info.NetworkSettings.Networks?.[target.network]?.IPAddress;
        probed = `TCP port ${block.port}`;
        const error = ip ? await tcpProbe(ip, block.port) : "no address on the network yet";
        if (error === null) return { ok: true, upstream: { host: "127.0.0.1", port: hostPort } };
        lastError = error;
      }
    }

    if (Date.now() - started >= timing.timeoutMs) {
      return { ok: false, failure: `replica ${index} did not answer ${probed} within ${seconds(timing.timeoutMs)} (${lastError})` };
    }
    await Bun.sleep(timing.pollMs);
  }
}

async function inspectOrNull(inspect: Inspect, id: string): Promise<Dockerode.ContainerInspectInfo | null> {
  try {
    return await inspect(id);
  } catch (error) {
    if (isNotFound(error)) return null;
    throw toBerthError(error, `inspecting container ${id.slice(0, 12)}`);
  }
}

/** 60000 → "60s", 2500 → "2.5s". */
export const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;
