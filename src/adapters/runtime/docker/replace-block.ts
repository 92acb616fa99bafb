import type { BlockOutcome } from "../../../ports/runtime.ts";
import { BerthError } from "../../../core/errors.ts";
import { keepRestarting, listReplicas, removeReplicas, restartReplica, startReplica, stopReplica } from "./containers.ts";
import { type Replica, containerName } from "./labels.ts";
import { type BlockJob, type Checked, type NewReplica, checkAll, drain, failure, outcome, running } from "./rollout.ts";
import { ensureVolumes } from "./volumes.ts";

/**
 * Brings one block to its plan. Nothing happens when the block's running replicas already carry
 * the plan's hash in the wanted number. Otherwise new replicas start, pass their health checks,
 * traffic switches to them, the old ones drain and go (after this returns: see BlockJob.later). If switchTraffic throws, the error
 * propagates with old and new both running; the next apply finds them and finishes the switch.
 */
export async function applyBlock(job: BlockJob, observed: Replica[]): Promise<BlockOutcome> {
  const { block } = job;
  const current = observed.filter((replica) => replica.hash === block.hash && replica.state === "running");
  const others = observed.filter((replica) => !current.includes(replica));
  if (current.length === block.replicas && !job.restart) {
    if (others.length === 0) {
      // Converges a replica an interrupted apply left without its restart policy; reads only otherwise.
      await keepRestarting(job.docker, current.map((r) => r.id));
      return outcome(block.block, current);
    }
    // An earlier apply stopped after starting these: check them and finish its switch.
    job.hooks.log(`${block.block}: finishing an interrupted replace with ${current.length} running replica(s)`);
    return switchOver(job, current.map((r) => ({ id: r.id, index: r.index })), others);
  }
  // Volumes take one writer: two database processes on one data folder corrupt it.
  if (block.volumes.length && running(observed).length) return recreate(job, observed);
  return replace(job, observed);
}

/** Zero downtime: new replicas run beside the old until they are healthy and serving. */
async function replace(job: BlockJob, old: Replica[]): Promise<BlockOutcome> {
  const started = await startNew(job);
  if (!started.ok) return failure(job.block.block, started.reason, running(old));
  // A replica without a port is up once started: what follows is only watching it stay up for
  // the settle time, which needs no place. One with a port holds it until it answers.
  if (job.block.port === undefined) job.free();
  return switchOver(job, started.targets, old);
}

async function switchOver(job: BlockJob, fresh: NewReplica[], old: Replica[]): Promise<BlockOutcome> {
  const { block, hooks } = job;
  const checked = await checkAll(job, fresh);
  if (!checked.ok) {
    hooks.log(`${block.block}: removing ${fresh.length} new replica(s); the old ones keep serving`);
    await removeReplicas(job.docker, fresh.map((t) => t.id), 0);
    return failure(block.block, checked.reason, running(old));
  }
  // Healthy replicas are what the rollout slot bounds; switching, draining and stopping the old
  // ones wait on the edge and on timers, so the next block starts meanwhile.
  job.later(async () => {
    await keepRestarting(job.docker, fresh.map((t) => t.id));
    await hooks.switchTraffic(block.block, checked.upstreams);
    await drain(job, old);
    await retire(job, old);
  });
  return { block: block.block, ok: true, upstreams: checked.upstreams, containers: fresh.map((t) => t.id) };
}

/**
 * For blocks with volumes: stop the old replicas first, then start the new ones. On a failed
 * start the old replicas are started again; their published ports change on a restart, so
 * traffic is pointed at them anew.
 */
async function recreate(job: BlockJob, old: Replica[]): Promise<BlockOutcome> {
  const { block, hooks, docker } = job;
  const wasRunning = running(old);
  hooks.log(`${block.block}: stopping ${wasRunning.length} old replica(s) first, as the block has volumes`);
  await Promise.all(wasRunning.map((replica) => stopReplica(docker, replica.id, graceOf(job))));

  const started = await startNew(job);
  const fresh = started.ok ? started.targets : [];
  const checked: Checked = started.ok ? await checkAll(job, fresh) : started;
  if (checked.ok) {
    await keepRestarting(docker, fresh.map((t) => t.id));
    await hooks.switchTraffic(block.block, checked.upstreams);
    await retire(job, old);
    return { block: block.block, ok: true, upstreams: checked.upstreams, containers: fresh.map((t) => t.id) };
  }
  await removeReplicas(docker, fresh.map((t) => t.id), 0);
  hooks.log(`${block.block}: starting the ${wasRunning.length} old replica(s) again`);
  await Promise.all(wasRunning.map((replica) => restartReplica(docker, replica.id)));
  // A restarted container is not yet an app that answers: traffic goes back once it passes the check.
  const back = await checkAll(job, wasRunning.map((replica) => ({ id: replica.id, index: replica.index })));
  const restored = await observe(job, new Set(wasRunning.map((r) => r.id)));
  const upstreams = back.ok ? back.upstreams : restored.flatMap((r) => (r.upstream ? [r.upstream] : []));
  if (upstreams.length) await hooks.switchTraffic(block.block, upstreams);
  return failure(block.block, checked.reason, restored);
}

type Started = { ok: true; targets: NewReplica[] } | { ok: false; reason: string };

/** Creates and starts the plan's replicas; on any failure the ones already started are removed. */
async function startNew(job: BlockJob): Promise<Started> {
  const { docker, block, hooks } = job;
  hooks.log(`${block.block}: starting ${block.replicas} replica(s) of release ${job.release}`);
  const targets: NewReplica[] = [];
  try {
    const volumes = await ensureVolumes(docker, job.project, job.env, block);
    for (let index = 0; index < block.replicas; index++) {
      const name = containerName(job.project, job.env, block.block, job.release, index);
      const base = { project: job.project, env: job.env, release: job.release, network: job.network, name, index, block, volumes };
      targets.push({ id: await startReplica(docker, base), index, restartsBefore: 0 });
    }
    return { ok: true, targets };
  } catch (error) {
    // An unreachable engine stops the whole apply; anything else (a missing image…) fails this block only.
    if (!(error instanceof BerthError) || error.code === "unavailable") throw error;
    await removeReplicas(docker, targets.map((t) => t.id), 0);
    hooks.log(`${block.block}: could not start: ${error.message}`);
    return { ok: false, reason: `could not start ${block.block}: ${error.message}` };
  }
}

/** SIGTERM with the grace period, then delete; named volumes stay. */
async function retire(job: BlockJob, old: Replica[]): Promise<void> {
  if (!old.length) return;
  job.hooks.log(`${job.block.block}: stopping ${old.length} old replica(s)`);
  await removeReplicas(job.docker, old.map((replica) => replica.id), graceOf(job));
}

/** The block's own stop grace as the plan sets it now, else the runtime's. */
const graceOf = (job: BlockJob) => job.block.stopGraceSeconds ?? job.timing.stopGraceSeconds;

async function observe(job: BlockJob, ids: Set<string>): Promise<Replica[]> {
  return (await listReplicas(job.docker, job.project, job.env)).filter((replica) => ids.has(replica.id));
}
