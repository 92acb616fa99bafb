import { BerthError, conflict, invalid } from "../../../core/errors.ts";
import { checkNames, checkPlan } from "../check-names.ts";
import type { FleetBlock, FleetPlan } from "../../../ports/fleet.ts";
import type { ApplyHooks, BlockOutcome, EnvironmentPlan, EnvironmentRef, Runtime, Upstream } from "../../../ports/runtime.ts";
import { serialiser } from "../serialiser.ts";
import { type KubeClient, type KubeKind, type LiveObject, describeRef, refOf } from "./kube-client.ts";
import { DEFAULT_POD_CIDR, manifestObjects } from "./manifests.ts";
import { JOB_RUN_LABEL, MANAGED_BY, namespaceName, releaseJobName } from "./names.ts";
import type { KubeObject } from "./object.ts";
import { OWNED_KINDS, type Previous, RESTORED_KINDS, discardRecord, environmentLabels, readPrevious, reapplicable } from "./previous.ts";
import { type WaitTiming, waitForJob, waitForRollout } from "./rollout.ts";
import { environmentStatus, serviceUpstreams } from "./status.ts";

export interface K3sRuntimeOptions {
  /** The cluster's pod range, for the edge's network policies. Default k3s's 10.42.0.0/16. */
  podCidr?: string;
  /** Between two reads of a rollout or a Job. Default 1 s. */
  pollMs?: number;
  /** How long a Deployment gets to roll out. Default 120 s. */
  rolloutTimeoutMs?: number;
  /** Lines of a pod's log quoted in a failure. Default 5. */
  logLines?: number;
  /** Between two reads of the cluster's Deployments for `watch`. Default 5 s. */
  watchPollMs?: number;
  /** The clock of restart annotations. */
  now?: () => Date;
}

export interface K3sRuntimeDeps {
  client: KubeClient;
  /**
   * The fleet plan of an environment plan: which blocks the edge routes to, the jobs, the
   * images by reference. Default `asFleetPlan`, which takes a FleetPlan given through the port.
   */
  fleetPlanOf?: (plan: EnvironmentPlan) => FleetPlan;
}

/** The field manager of restarts: its annotation outlives the next apply, as `kubectl rollout restart`'s does. */
export const RESTART_MANAGER = "berth-restart";
export const RESTARTED_AT = "berth.restarted-at";
/** The field manager of `env stop`: it owns `replicas` (0) until the next apply as `berth` takes them back. */
export const STOP_MANAGER = "berth-stop";

/** What discarding a release applies again as it was; an earlier Secret or Job is the same object (immutable) and stays as it is. */
const DISCARD_RESTORES = new Set<KubeKind>([...RESTORED_KINDS, "CronJob"]);

/**
 * A FleetPlan is an EnvironmentPlan with more in it (its blocks say whether the edge routes to
 * them, its jobs are listed): that is what a deploy in fleet mode hands over. A plain
 * EnvironmentPlan does not say enough to render, and is refused.
 */
export function asFleetPlan(plan: EnvironmentPlan): FleetPlan {
  const fleet = plan as EnvironmentPlan & Partial<Pick<FleetPlan, "jobs">>;
  if (!Array.isArray(fleet.jobs) || plan.blocks.some((block) => typeof (block as Partial<FleetBlock>).routed !== "boolean")) {
    throw invalid(`${plan.project}/${plan.environment}: the k3s runtime needs the release's fleet plan (routed blocks and jobs), not a docker plan`);
  }
  return { project: plan.project, environment: plan.environment, release: plan.release, blocks: plan.blocks as FleetBlock[], jobs: fleet.jobs };
}

interface Place {
  namespace: string;
  project: string;
  environment: string;
}

/** A Deployment without the restart annotation in its pod template: that field is the `berth-restart` manager's. */
function withoutRestart(object: KubeObject): KubeObject {
  const template = (object.spec as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined)?.template;
  if (object.kind !== "Deployment" || !template?.metadata?.annotations?.[RESTARTED_AT]) return object;
  const { [RESTARTED_AT]: _restart, ...annotations } = template.metadata.annotations;
  const spec = object.spec as Record<string, unknown>;
  return { ...object, spec: { ...spec, template: { ...template, metadata: { ...template.metadata, annotations } } } };
}

const idOf = (object: KubeObject) => `${object.kind}/${object.metadata.name}`;
const blockOf = (object: KubeObject) => object.metadata.labels?.["berth.block"];
const triggerOf = (object: KubeObject) => (object.kind === "Job" ? object.metadata.annotations?.["berth.trigger"] : undefined);

/** What the last apply of an environment replaced: a later discardRelease of that release puts it back. */
interface ApplyRecord {
  release: number;
  previous: Previous;
}

/**
 * The runtime port on a k3s cluster, through the Kubernetes API. An apply renders the release
 * (manifests.ts), runs its pre-deploy Jobs, applies every object server-side as field manager
 * `berth`, waits for each Deployment's rollout, switches routes to the Services of blocks that
 * changed, and prunes what the environment no longer has. Everything it touches carries the
 * environment's labels.
 */
export function createK3sRuntime(deps: K3sRuntimeDeps, options: K3sRuntimeOptions = {}): Runtime {
  const { client } = deps;
  const fleetPlanOf = deps.fleetPlanOf ?? asFleetPlan;
  const podCidr = options.podCidr ?? DEFAULT_POD_CIDR;
  const timing: WaitTiming = { pollMs: options.pollMs ?? 1_000, rolloutTimeoutMs: options.rolloutTimeoutMs ?? 120_000, logLines: options.logLines ?? 5 };
  const now = options.now ?? (() => new Date());
  const exclusive = serialiser();
  const records = new Map<string, ApplyRecord>();
  /** Per environment, what this process last applied as `berth` of each healthy block's restored kinds: what a restore puts back. */
  const rendered = new Map<string, Map<string, KubeObject>>();

  /** The plain name is shared by project "shop" + environment "eu-prod" and "shop-eu" + "prod": the labels tell them apart. */
  async function checkOwner(namespace: string, project: string, environment: string): Promise<LiveObject | null> {
    const existing = await client.get({ kind: "Namespace", name: namespace });
    const labels = existing?.metadata.labels ?? {};
    if (existing && (labels["berth.project"] !== project || labels["berth.environment"] !== environment)) {
      const owner = labels["berth.project"] ? `project ${labels["berth.project"]}, environment ${labels["berth.environment"]}` : "something other than Berth";
      throw conflict(`namespace ${namespace} belongs to ${owner}, not to ${project}/${environment}`);
    }
    return existing;
  }

  /**
   * Puts a failed block's Deployment, Service and NetworkPolicy back as Berth last applied them:
   * the manifests this process rendered for the block's last healthy release when it has them,
   * else the objects as read before the apply, without the restart annotation (the
   * `berth-restart` manager's: applied as `berth`, a later apply would drop it). Then waits for
   * the restored rollout, so the log says whether the previous release serves again.
   */
  async function restore(block: string, previous: Previous, hooks: ApplyHooks, at: Place): Promise<Upstream[]> {
    const before = (previous.get(block) ?? []).filter((o) => RESTORED_KINDS.includes(o.kind as KubeKind));
    if (before.length === 0) {
      hooks.log(`${block}: no earlier release to put back`);
      return [];
    }
    const known = rendered.get(`${at.project}/${at.environment}`);
    for (const object of before) await client.apply(known?.get(idOf(object)) ?? withoutRestart(reapplicable(object)));
    hooks.log(`${block}: the previous release's objects are applied again`);
    const deployment = before.find((o) => o.kind === "Deployment");
    if (deployment) {
      const back = await waitForRollout(client, at.namespace, at.project, at.environment, block, timing);
      hooks.log(back.ok ? `${block}: the previous release is rolled out again` : `${block}: the previous release did not come back either: ${back.reason}`);
    }
    return (deployment?.status?.readyReplicas ?? 0) > 0 ? serviceUpstreams(before.find((o) => o.kind === "Service")) : [];
  }

  /** restore, when the API that failed the block fails its restore too: said in the log; the Service (same address) serves what is ready. */
  async function safeRestore(block: string, previous: Previous, hooks: ApplyHooks, at: Place): Promise<Upstream[]> {
    try {
      return await restore(block, previous, hooks, at);
    } catch (error) {
      hooks.log(`${block}: putting back the previous release failed: ${(error as Error).message}`);
      return serving(previous, block);
    }
  }

  async function applyPlan(plan: EnvironmentPlan, hooks: ApplyHooks): Promise<BlockOutcome[]> {
    checkPlan(plan, { hashes: false });
    const fleet = fleetPlanOf(plan);
    const { project, environment, release } = fleet;
    const namespace = namespaceName(project, environment);
    const objects = manifestObjects(fleet, { podCidr });
    await checkOwner(namespace, project, environment);
    const previous = await readPrevious(client, namespace, project, environment);
    records.set(`${project}/${environment}`, { release, previous: discardRecord(previous, DISCARD_RESTORES) });

    const at: Place = { namespace, project, environment };
    const namespaceObject = objects.find((o) => o.kind === "Namespace")!;
    const preDeploy = objects.filter((o) => triggerOf(o) === "pre-deploy");
    const postDeploy = objects.filter((o) => triggerOf(o) === "post-deploy");
    const secretOf = (job: KubeObject) => objects.find((o) => o.kind === "Secret" && blockOf(o) === blockOf(job));
    const waitJob = (job: KubeObject) => waitForJob(client, namespace, job.metadata.name, ((job.spec as { activeDeadlineSeconds?: number }).activeDeadlineSeconds ?? 3600) * 1000 + 60_000, timing);

    // Pre-deploy Jobs first, with only what they need (the namespace, their Secret): a failure leaves the rest as it was.
    await client.apply(namespaceObject);
    const done = new Set<KubeObject>([namespaceObject, ...preDeploy, ...postDeploy]);
    for (const job of preDeploy) {
      const name = blockOf(job)!;
      const secret = secretOf(job);
      if (secret) await client.apply(secret);
      if (secret) done.add(secret);
      await client.apply(job);
      hooks.log(`pre-deploy job ${name}: running as Job ${job.metadata.name}`);
      const result = await waitJob(job);
      if (!result.ok) {
        const reason = `pre-deploy ${result.reason}`;
        hooks.log(reason);
        return fleet.blocks.map((block) => ({ block: block.block, ok: false, reason, upstreams: serving(previous, block.block), containers: [] }));
      }
      hooks.log(`pre-deploy job ${name}: succeeded`);
    }

    const applied = new Map<string, LiveObject>();
    const touched = new Set<string>();
    try {
      for (const object of objects) {
        if (done.has(object)) continue;
        const block = blockOf(object);
        if (block !== undefined) touched.add(block);
        applied.set(idOf(object), await client.apply(object));
      }
      for (const block of plan.restart ?? []) {
        if (!fleet.blocks.some((b) => b.block === block)) continue;
        // Only the annotation: a field this manager sends is a field it owns, so no labels, not even none.
        const annotation = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: block, namespace }, spec: { template: { metadata: { annotations: { [RESTARTED_AT]: now().toISOString() } } } } } as unknown as KubeObject;
        applied.set(`Deployment/${block}`, await client.apply(annotation, RESTART_MANAGER));
        hooks.log(`${block}: restarting its pods`);
      }
    } catch (error) {
      // A refusal partway (an immutable field, a quota, a timeout) would leave the environment half new: put back what changed.
      const reason = (error as Error).message;
      hooks.log(reason);
      return Promise.all(
        fleet.blocks.map(async (block): Promise<BlockOutcome> => {
          const upstreams = touched.has(block.block) ? await safeRestore(block.block, previous, hooks, at) : serving(previous, block.block);
          return { block: block.block, ok: false, reason, upstreams, containers: [] };
        }),
      );
    }

    const outcomes = await Promise.all(
      fleet.blocks.map(async (block): Promise<BlockOutcome> => {
        let rollout: Awaited<ReturnType<typeof waitForRollout>>;
        try {
          rollout = await waitForRollout(client, namespace, project, environment, block.block, timing);
        } catch (error) {
          // One block's error is that block's failure: the others are still waited for, and none is left rolling unjudged.
          rollout = { ok: false, reason: `${block.block}: ${(error as Error).message}` };
        }
        if (!rollout.ok) {
          hooks.log(rollout.reason);
          const upstreams = await safeRestore(block.block, previous, hooks, at);
          return { block: block.block, ok: false, reason: rollout.reason, upstreams, containers: [] };
        }
        const upstreams = block.port !== undefined ? serviceUpstreams(applied.get(`Service/${block.block}`)) : [];
        const before = previous.get(block.block) ?? [];
        const beforeDeployment = before.find((o) => o.kind === "Deployment");
        const changed =
          beforeDeployment?.metadata.generation === undefined ||
          beforeDeployment.metadata.generation !== applied.get(`Deployment/${block.block}`)?.metadata.generation ||
          JSON.stringify(serviceUpstreams(before.find((o) => o.kind === "Service"))) !== JSON.stringify(upstreams);
        const ready = rollout.pods.filter((pod) => pod.ready).map((pod) => pod.name);
        if (changed) {
          hooks.log(`${block.block}: rolled out, ${ready.length} pod(s) ready${upstreams[0] ? ` behind ${upstreams[0].host}:${upstreams[0].port}` : ""}`);
          try {
            await hooks.switchTraffic(block.block, upstreams);
          } catch (error) {
            const reason = `${block.block}: switching its routes failed: ${(error as Error).message}`;
            hooks.log(reason);
            return { block: block.block, ok: false, reason, upstreams: await safeRestore(block.block, previous, hooks, at), containers: [] };
          }
        }
        return { block: block.block, ok: true, upstreams, containers: ready };
      }),
    );
    const last = rendered.get(`${project}/${environment}`) ?? new Map<string, KubeObject>();
    for (const outcome of outcomes.filter((o) => o.ok)) {
      for (const object of objects) if (blockOf(object) === outcome.block && RESTORED_KINDS.includes(object.kind as KubeKind)) last.set(idOf(object), object);
    }
    rendered.set(`${project}/${environment}`, last);
    // A failed block fails the release: no post-deploy jobs, and nothing pruned (the old Secrets are what its old pods read).
    if (outcomes.some((outcome) => !outcome.ok)) return outcomes;

    for (const job of postDeploy) {
      await client.apply(job);
      hooks.log(`post-deploy job ${blockOf(job)}: running as Job ${job.metadata.name}`);
      const result = await waitJob(job);
      hooks.log(result.ok ? `post-deploy job ${blockOf(job)}: succeeded` : `warning: post-deploy ${result.reason}; the release stays deployed`);
    }
    await prune(namespace, project, environment, new Set(objects.map(idOf)), hooks);
    return outcomes;
  }

  /** Deletes what carries the environment's labels and the release does not hold; claims stay, and Jobs still running. */
  async function prune(namespace: string, project: string, environment: string, keep: Set<string>, hooks: ApplyHooks): Promise<void> {
    for (const kind of OWNED_KINDS) {
      for (const object of await client.list(kind, namespace, environmentLabels(project, environment))) {
        if (keep.has(idOf(object))) continue;
        if (kind === "Job" && (object.status?.active ?? 0) > 0) continue;
        // A `berth job run` Job is its runner's to delete, also once ended: the runner reads its end (and the pod's exit code) after it.
        if (kind === "Job" && object.metadata.labels?.[JOB_RUN_LABEL] !== undefined) continue;
        await client.remove(refOf(object));
        hooks.log(`pruned ${describeRef(refOf(object))}`);
      }
    }
  }

  return {
    apply: (plan, hooks) => exclusive(`${plan.project}/${plan.environment}`, () => applyPlan(plan, hooks)),

    async status(project, environment, { crashes = true } = {}) {
      checkNames(project, environment);
      return environmentStatus(client, namespaceName(project, environment), project, environment, crashes, timing.logLines);
    },

    discardRelease: (project, environment, release, serving) =>
      exclusive(`${project}/${environment}`, async () => {
        checkNames(project, environment);
        const namespace = namespaceName(project, environment);
        await checkOwner(namespace, project, environment);
        const record = records.get(`${project}/${environment}`);
        const known = record?.release === release ? record : undefined;
        const keep = new Set(serving);
        let gone = 0;
        for (const kind of OWNED_KINDS) {
          for (const object of await client.list(kind, namespace, { ...environmentLabels(project, environment), "berth.release": String(release) })) {
            const block = blockOf(object);
            if (block === undefined || keep.has(block)) continue;
            // Without a record of what this release replaced (another process applied it), an unchanged
            // object relabelled by it cannot be told from a new one: only the release's own Jobs surely are.
            if (!known) {
              if (kind === "Job" && object.metadata.name === releaseJobName(block, release) && (await client.remove(refOf(object)))) gone++;
              continue;
            }
            const earlier = known.previous.get(block)?.find((o) => idOf(o) === idOf(object));
            if (!earlier) {
              if (await client.remove(refOf(object))) gone++;
            } else if (DISCARD_RESTORES.has(kind)) await client.apply(reapplicable(earlier));
          }
        }
        return gone;
      }),

    remove: (project, environment, { purgeVolumes }) =>
      exclusive(`${project}/${environment}`, async () => {
        checkNames(project, environment);
        const namespace = namespaceName(project, environment);
        if (!(await checkOwner(namespace, project, environment))) return;
        records.delete(`${project}/${environment}`);
        rendered.delete(`${project}/${environment}`);
        // The namespace takes its claims, and so the volumes' data, along: only when purging.
        if (purgeVolumes) {
          await client.remove({ kind: "Namespace", name: namespace });
          return;
        }
        for (const kind of OWNED_KINDS) {
          for (const object of await client.list(kind, namespace, environmentLabels(project, environment))) await client.remove(refOf(object));
        }
      }),

    // Scaled to 0, not deleted: Secrets, Services and claims stay, and the next release's apply
    // (a start) takes `replicas` back as `berth`, since it applies with force.
    stop: (project, environment) =>
      exclusive(`${project}/${environment}`, async () => {
        checkNames(project, environment);
        const namespace = namespaceName(project, environment);
        if (!(await checkOwner(namespace, project, environment))) return;
        // A failed start must leave the environment stopped: its blocks are put back as read (at 0), not as last rendered.
        rendered.delete(`${project}/${environment}`);
        for (const deployment of await client.list("Deployment", namespace, environmentLabels(project, environment))) {
          const replicas = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: deployment.metadata.name, namespace }, spec: { replicas: 0 } } as unknown as KubeObject;
          await client.apply(replicas, STOP_MANAGER);
        }
      }),

    watch: (onChange, log) => pollDeployments(client, options.watchPollMs ?? 5_000, onChange, log),

    async exec() {
      throw notYet("exec");
    },
    async holdBlocks() {
      throw notYet("holding blocks (for a restore)");
    },
  };
}

const notYet = (what: string) => new BerthError("unavailable", `${what} is not in fleet mode yet; use kubectl on the server node meanwhile`);

/** What a block served before the apply: its Service, while its old Deployment had ready pods. */
function serving(previous: Previous, block: string): Upstream[] {
  const before = previous.get(block) ?? [];
  const deployment = before.find((o) => o.kind === "Deployment");
  return (deployment?.status?.readyReplicas ?? 0) > 0 ? serviceUpstreams(before.find((o) => o.kind === "Service")) : [];
}

/**
 * `watch` by reading every Berth Deployment of the cluster now and then (one call): an
 * environment whose rollout or ready counts moved is reported. A lost connection, once back,
 * is reported as `null` (anything may have changed).
 */
function pollDeployments(client: KubeClient, everyMs: number, onChange: (changed: EnvironmentRef | null) => void, log: (line: string) => void): () => void {
  let seen: Map<string, string> | null = null;
  let lost = false;
  /** A read failed and was reported; cleared by the next read that works. */
  let failing = false;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const read = async () => {
    try {
      const deployments = await client.list("Deployment", undefined, { ...MANAGED_BY });
      const now = new Map<string, string>();
      for (const d of [...deployments].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))) {
        const labels = d.metadata.labels;
        const key = `${labels["berth.project"]}/${labels["berth.environment"]}`;
        const s = d.status ?? {};
        const print = [d.metadata.name, d.metadata.generation, s.observedGeneration, d.spec?.replicas, s.updatedReplicas, s.readyReplicas, s.unavailableReplicas].join(":");
        now.set(key, `${now.get(key) ?? ""}|${print}`);
      }
      if (lost) onChange(null);
      else if (seen) {
        for (const key of new Set([...seen.keys(), ...now.keys()])) {
          if (seen.get(key) === now.get(key)) continue;
          const [project, environment] = key.split("/") as [string, string];
          onChange({ project, environment });
        }
      }
      seen = now;
      lost = false;
      failing = false;
    } catch (error) {
      // One line per failure streak: before `fleet init` every poll fails the same way.
      if (!failing) log(`fleet watch: ${(error as Error).message}`);
      failing = true;
      lost = seen !== null || lost;
    }
    if (!stopped) timer = setTimeout(read, everyMs);
  };
  void read();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
