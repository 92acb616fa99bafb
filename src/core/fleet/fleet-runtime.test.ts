import { expect, test } from "bun:test";
import { asFleetPlan } from "../../adapters/runtime/k3s/runtime.ts";
import { createReleaseStore } from "../../adapters/store/release-store.ts";
import type { FleetPlan } from "../../ports/fleet.ts";
import type { ImageRegistry, LocalImage } from "../../ports/image-registry.ts";
import type { BlockPlan, EnvironmentPlan, Runtime } from "../../ports/runtime.ts";
import { harnessWithRelease, PASSWORD } from "../../../test/support/fleet-release.ts";
import { byReference, createFleetRuntime, type FleetRuntimeDeps } from "./fleet-runtime.ts";

/** A cluster runtime that keeps each plan it is given, read as the k3s runtime reads it. */
function recordingCluster() {
  const plans: (FleetPlan & Pick<EnvironmentPlan, "restart">)[] = [];
  const calls: string[] = [];
  const cluster: Runtime = {
    async apply(plan) {
      plans.push({ ...asFleetPlan(plan), ...(plan.restart && { restart: plan.restart }) });
      return plan.blocks.map((b) => ({ block: b.block, ok: true, upstreams: [], containers: [] }));
    },
    status: async (project, environment) => (calls.push(`status ${project}/${environment}`), []),
    discardRelease: async (project, environment, release) => (calls.push(`discard ${project}/${environment} ${release}`), 0),
    stop: async (project, environment) => void calls.push(`stop ${project}/${environment}`),
    remove: async (project, environment, { purgeVolumes }) => void calls.push(`remove ${project}/${environment} ${purgeVolumes}`),
    watch: () => () => {},
    exec: async () => {
      throw new Error("not used");
    },
    holdBlocks: async () => async () => {},
  };
  return { cluster, plans, calls };
}

async function setup(deps: Partial<FleetRuntimeDeps> = {}) {
  const { harness, project } = await harnessWithRelease();
  const releases = createReleaseStore(harness.db);
  const release = releases.currentRelease(project, "dev")!;
  const { cluster, plans, calls } = recordingCluster();
  const runtime = createFleetRuntime({ cluster, releases, variables: harness.services.variables, ...deps });
  // What a deploy hands the runtime: the docker plan of the release's running blocks (only names and replicas are read).
  const dockerPlan = (change: { replicas?: Record<string, number>; restart?: string[]; deployJobs?: boolean } = {}): EnvironmentPlan => ({
    project,
    environment: "dev",
    release: release.number,
    blocks: release.blocks.filter((b) => b.spec.kind !== "job").map((b) => ({ block: b.name, replicas: change.replicas?.[b.name] ?? b.spec.replicas ?? 1 }) as BlockPlan),
    ...(change.restart && { restart: change.restart }),
    ...(change.deployJobs !== undefined && { deployJobs: change.deployJobs }),
  });
  const hooks = { log: () => {}, switchTraffic: async () => {} };
  return { project, release, runtime, plans, calls, dockerPlan, hooks };
}

const registry = () => {
  const pushes: LocalImage[] = [];
  const fake: ImageRegistry = {
    async push(image) {
      pushes.push(image);
      return { image: `10.0.0.5:5000/${image.reference.replace(/^localhost:5000\//, "")}`, digest: `sha256:${String(pushes.length % 10).repeat(64)}` };
    },
  };
  return { fake, pushes };
};

test("a deploy's plan becomes the release's fleet plan: images pushed and pinned, real secret values, every job", async () => {
  const { fake, pushes } = registry();
  const { runtime, plans, dockerPlan, hooks, release } = await setup({ registry: async () => fake });
  await runtime.apply(dockerPlan({ deployJobs: true }), hooks);
  expect(plans).toHaveLength(1);
  const plan = plans[0]!;
  expect(plan.release).toBe(release.number);
  // The fixture gives every block its own engine image: each is pushed, each block pinned by what the registry answered.
  expect(pushes.map((p) => `${p.reference} ${p.id}`).sort()).toEqual(release.blocks.map((b) => `${b.image} ${b.imageId}`).sort());
  for (const block of [...plan.blocks, ...plan.jobs]) {
    expect(block.image).toStartWith("10.0.0.5:5000/");
    expect(block.digest).toMatch(/^sha256:[0-9]{64}$/);
  }
  // Not redacted: the cluster's Secret must hold what the service reads.
  expect(plan.blocks.find((b) => b.block === "db")!.env.POSTGRES_PASSWORD).toBe(PASSWORD);
  expect(plan.jobs.map((j) => `${j.block}:${j.trigger}`).sort()).toEqual(["migrate:pre-deploy", "nightly-report-for-each-customer-account:cron", "notify:post-deploy", "reindex:manual"]);
  expect(plan.blocks.find((b) => b.block === "storefront-with-the-longest-allowed-name")!.routed).toBe(true);
  expect(plan.blocks.find((b) => b.block === "search")!.routed).toBe(false);
});

test("a restart or scale keeps its replica counts and restarts, and leaves the deploy jobs out", async () => {
  const { runtime, plans, dockerPlan, hooks } = await setup({ publish: byReference });
  await runtime.apply(dockerPlan({ replicas: { api: 3 }, restart: ["api"] }), hooks);
  const plan = plans[0]!;
  expect(plan.blocks.find((b) => b.block === "api")!.replicas).toBe(3);
  expect(plan.blocks.find((b) => b.block === "storefront-with-the-longest-allowed-name")!.replicas).toBe(2);
  expect(plan.restart).toEqual(["api"]);
  expect(plan.jobs.map((j) => j.trigger).sort()).toEqual(["cron", "manual"]);
});

test("images by reference only when asked: the release's own references, no digest", async () => {
  const { runtime, plans, dockerPlan, hooks, release } = await setup({ publish: byReference });
  await runtime.apply(dockerPlan({ deployJobs: true }), hooks);
  const api = plans[0]!.blocks.find((b) => b.block === "api")!;
  expect(api.image).toBe(release.blocks.find((b) => b.name === "api")!.image);
  expect(api.digest).toBeUndefined();
});

test("without a registry (and no explicit choice) the deploy is refused in one line, and nothing reaches the cluster", async () => {
  const { runtime, plans, dockerPlan, hooks } = await setup();
  const refused = await runtime.apply(dockerPlan({ deployJobs: true }), hooks).catch((error: Error) => error);
  expect(refused).toBeInstanceOf(Error);
  expect((refused as Error).message).toBe("fleet mode has no registry running for the release's images: run berth fleet init (serve starts the registry at boot after it; its log says why it did not), or set fleetImages: reference to have nodes pull each image by its own reference");
  expect(plans).toHaveLength(0);
});

test("a release that is not in the store is refused, naming it", async () => {
  const { runtime, dockerPlan, hooks } = await setup({ publish: byReference });
  const refused = await runtime.apply({ ...dockerPlan(), release: 99 }, hooks).catch((error: Error) => error);
  expect((refused as Error).message).toContain("release 99 of ");
});

test("everything else goes to the cluster as it is", async () => {
  const { runtime, calls, project } = await setup({ publish: byReference });
  await runtime.status(project, "dev");
  await runtime.stop(project, "dev");
  await runtime.discardRelease(project, "dev", 2, []);
  await runtime.remove(project, "dev", { purgeVolumes: true });
  expect(calls).toEqual([`status ${project}/dev`, `stop ${project}/dev`, `discard ${project}/dev 2`, `remove ${project}/dev true`]);
});
