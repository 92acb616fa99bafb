import { describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSecretBox } from "../../adapters/crypto/secret-box.ts";
import { createFileLogStore } from "../../adapters/logs/file-log-store.ts";
import { migrate, openDb } from "../../adapters/store/db.ts";
import { createProjectStore } from "../../adapters/store/project-store.ts";
import { createReleaseStore } from "../../adapters/store/release-store.ts";
import { createRouteStore } from "../../adapters/store/route-store.ts";
import { createVariableStore } from "../../adapters/store/variable-store.ts";
import type { EnvironmentPlan, Runtime } from "../../ports/runtime.ts";
import type { Builds } from "../builds/builds.ts";
import type { ProjectFile } from "../project-file/schema.ts";
import { createVariables } from "../variables.ts";
import { createDeployments, type DeployDeps } from "./deployments.ts";

/** Image blocks only: promote, rollback and stop/start never build, so no builder is needed. */
function setup(hooks: Partial<Pick<DeployDeps, "beforeRollout" | "afterRollout">> = {}) {
  const plans: EnvironmentPlan[] = [];
  const removed: string[] = [];
  const runtime: Runtime = {
    async apply(plan, hooks) {
      plans.push(plan);
      for (const b of plan.blocks) await hooks.switchTraffic(b.block, [{ host: "127.0.0.1", port: 40000 + plans.length }]);
      return plan.blocks.map((b) => ({ block: b.block, ok: true, upstreams: [], containers: [] }));
    },
    status: async () => [],
    discardRelease: async () => 0,
    stop: async (project, environment) => void removed.push(`${project}/${environment}`),
    remove: async () => {},
    watch: () => () => {},
    exec: async () => {
      throw new Error("not used");
    },
    holdBlocks: async () => async () => {},
  };
  const db = openDb(":memory:");
  migrate(db);
  const projects = createProjectStore(db);
  const routes = createRouteStore(db);
  const box = createSecretBox(randomBytes(32));
  const variables = createVariables(projects, createVariableStore(db), box);
  const deployments = createDeployments({
    projects,
    releases: createReleaseStore(db),
    routes,
    logs: createFileLogStore(mkdtempSync(join(tmpdir(), "berth-pipeline-logs-"))),
    builds: {} as Builds,
    variables,
    images: { findImage: async (ref) => `sha256:${ref}`, listImages: async () => [], pullImage: async (ref) => `sha256:${ref}` },
    runtime,
    domain: "localhost",
    edgePort: 8080,
    edgeSyncMs: 0,
    ...hooks,
  });
  const file: ProjectFile = {
    project: "shop",
    blocks: { web: { kind: "website", image: "web:1", port: 8080 }, api: { kind: "microservice", image: "api:1", port: 8000 }, migrate: { kind: "job", image: "tool:1", trigger: "manual" } },
    environments: { dev: { blocks: { web: { image: "web:2" }, api: { image: "api:2" }, migrate: { image: "tool:2" } } }, prod: { blocks: { web: { replicas: 2 } } } },
  };
  projects.saveProject(file);
  const deployed = async (release: { id: number }) => {
    const done = await deployments.wait(release.id);
    if (done.status !== "deployed") throw new Error(`release ${done.number} ${done.status}: ${done.reason}`);
    return done;
  };
  const images = (r: { blocks: { name: string; imageId: string }[] }) => Object.fromEntries(r.blocks.map((b) => [b.name, b.imageId]));
  return { deployments, variables, routes, projects, plans, removed, deployed, images };
}

describe("promote, rollback, stop and start", () => {
  test("promote --block moves that block's live image only; the target keeps its own replicas and variables", async () => {
    const { deployments, variables, deployed, images, plans } = setup();
    variables.set({ project: "shop", environment: "prod", block: "web" }, { GREETING: "prod" }, false);
    await deployed(deployments.deploy("shop", "dev"));
    await deployed(deployments.deploy("shop", "prod"));
    const { release, diff } = await deployments.promote("shop", "dev", "prod", { blocks: ["web"] }, { actor: "ci" });
    expect(diff.blocks.map((b) => [b.block, b.image])).toEqual([["web", true], ["api", false], ["migrate", false]]);
    const done = await deployed(release!);
    expect(images(done)).toEqual({ web: "sha256:web:2", api: "sha256:api:1", migrate: "sha256:tool:1" });
    // Every block, jobs included, from dev: runs and schedules take the live release's image.
    expect(images(await deployed((await deployments.promote("shop", "dev", "prod", {})).release!))).toEqual({ web: "sha256:web:2", api: "sha256:api:2", migrate: "sha256:tool:2" });
    expect([done.source, done.actor]).toEqual(["promote from dev#1", "ci"]);
    const plan = plans.at(-1)!.blocks.find((b) => b.block === "web")!;
    expect([plan.replicas, plan.env.GREETING]).toEqual([2, "prod"]);
  });

  test("pre- and post-deploy jobs run on a deploy and a promote (new images there), not on a rollback or a restart", async () => {
    const ran: string[] = [];
    const { deployments, deployed } = setup({
      beforeRollout: async (release) => void ran.push(`before ${release.environment}#${release.number} ${release.source}`),
      afterRollout: async (release) => void ran.push(`after ${release.environment}#${release.number}`),
    });
    await deployed(deployments.deploy("shop", "dev"));
    await deployed((await deployments.promote("shop", "dev", "prod", {})).release!);
    await deployed(deployments.deploy("shop", "prod"));
    await deployed(deployments.rollback("shop", "prod", {}));
    await deployed(deployments.redeployLive("shop", "prod", { restart: [] }));
    expect(ran).toEqual(["before dev#1 deploy", "after dev#1", "before prod#1 promote from dev#1", "after prod#1", "before prod#2 deploy", "after prod#2"]);
  });

  test("promote --dry-run changes nothing; a block missing from the source's live release is refused", async () => {
    const { deployments, deployed } = setup();
    await deployed(deployments.deploy("shop", "dev"));
    const { release, diff } = await deployments.promote("shop", "dev", "prod", { dryRun: true });
    expect([release, diff.live, diff.blocks.map((b) => b.change)]).toEqual([null, null, ["added", "added", "added"]]);
    expect(deployments.list("shop", "prod")).toEqual([]);
    await expect(deployments.promote("shop", "prod", "dev", {})).rejects.toThrow("shop/prod has no live release to promote: deploy it first");
    await expect(deployments.promote("shop", "dev", "prod", { blocks: ["nope"] })).rejects.toThrow('block "nope" in project "shop" not found');
  });

  test("rollback: the previous deployed release's images with today's variables, or N's recorded ones", async () => {
    const { deployments, variables, projects, deployed, images, plans } = setup();
    const ref = { project: "shop", environment: "prod", block: "web" };
    variables.set(ref, { TOKEN: "first" }, true);
    await deployed(deployments.deploy("shop", "prod"));
    const file = projects.loadProject("shop")!;
    file.blocks.web!.image = "web:3";
    projects.saveProject(file);
    variables.set(ref, { TOKEN: "second" }, true);
    await deployed(deployments.deploy("shop", "prod"));

    const back = await deployed(deployments.rollback("shop", "prod", {}));
    expect([back.number, back.source, images(back).web]).toEqual([3, "rollback to #1", "sha256:web:1"]);
    expect(plans.at(-1)!.blocks.find((b) => b.block === "web")!.env.TOKEN).toBe("second");
    // Recorded sealed: the value never shows in the release record.
    expect(JSON.stringify(back)).not.toContain("second");
    expect(deployments.get(back.id).blocks.find((b) => b.name === "web")!.vars!.TOKEN).toEqual({ value: "••••••••", secret: true });

    const withOld = await deployed(deployments.rollback("shop", "prod", { to: 1, withConfigOf: 1 }));
    expect(withOld.source).toBe("rollback to #1");
    expect(plans.at(-1)!.blocks.find((b) => b.block === "web")!.env.TOKEN).toBe("first");
    const status = await deployments.status("shop", "prod");
    expect(status.blocks.find((b) => b.name === "web")!.configChangedSince).toBe(4);
    expect(() => deployments.rollback("shop", "prod", { to: 9 })).toThrow("release 9 of shop/prod not found");
  });

  test("stop keeps routes with no upstream and says stopped; start is a new release of the live images", async () => {
    const { deployments, routes, removed, deployed, images } = setup();
    const first = await deployed(deployments.deploy("shop", "prod"));
    await deployments.stop("shop", "prod");
    expect(removed).toEqual(["shop/prod"]);
    expect(routes.listRoutes("shop", "prod").map((r) => [r.block, r.upstreams])).toEqual([["api", []], ["web", []]]);
    const status = await deployments.status("shop", "prod");
    expect([status.stopped, ...status.blocks.map((b) => b.state)]).toEqual([true, "stopped", "stopped"]);
    // Again: nothing new, the same stop time (it finishes what an interrupted stop left).
    expect(await deployments.stop("shop", "prod")).toEqual({ stoppedAt: status.stoppedAt! });
    expect(removed).toEqual(["shop/prod", "shop/prod"]);

    const started = await deployed(deployments.start("shop", "prod"));
    expect([started.number, started.source, images(started)]).toEqual([2, "start", images(first)]);
    expect((await deployments.status("shop", "prod")).stopped).toBe(false);
    expect(() => deployments.start("shop", "prod")).toThrow("shop/prod is not stopped");
  });
});
