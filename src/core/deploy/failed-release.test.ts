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
import type { ApplyHooks, EnvironmentPlan, Runtime } from "../../ports/runtime.ts";
import type { Builds } from "../builds/builds.ts";
import type { ProjectFile } from "../project-file/schema.ts";
import { createVariables } from "../variables.ts";
import { createDeployments } from "./deployments.ts";

/** A runtime that "starts" one container per block and hands each to switchTraffic, as the Docker one does. */
function fakeRuntime(fail?: (plan: EnvironmentPlan) => Error | undefined) {
  const running: { project: string; environment: string; release: number; block: string }[] = [];
  const runtime: Runtime = {
    async apply(plan, hooks: ApplyHooks) {
      const error = fail?.(plan);
      if (error) throw error;
      for (const block of plan.blocks) {
        running.push({ project: plan.project, environment: plan.environment, release: plan.release, block: block.block });
        await hooks.switchTraffic(block.block, [{ host: "127.0.0.1", port: 40000 + running.length }]);
      }
      return plan.blocks.map((b) => ({ block: b.block, ok: true, upstreams: [], containers: [] }));
    },
    status: async () => [],
    async discardRelease(project, environment, release, serving) {
      const gone = running.filter((c) => c.project === project && c.environment === environment && c.release === release && !serving.includes(c.block));
      for (const c of gone) running.splice(running.indexOf(c), 1);
      return gone.length;
    },
    stop: async () => {},
    remove: async () => {},
    watch: () => () => {},
    exec: async () => {
      throw new Error("not used");
    },
    holdBlocks: async () => async () => {},
  };
  return { runtime, running };
}

function setup(runtime: Runtime) {
  const db = openDb(":memory:");
  migrate(db);
  const projects = createProjectStore(db);
  const routes = createRouteStore(db);
  const variables = createVariables(projects, createVariableStore(db), createSecretBox(randomBytes(32)));
  const deployments = createDeployments({
    projects,
    releases: createReleaseStore(db),
    routes,
    logs: createFileLogStore(mkdtempSync(join(tmpdir(), "berth-deploy-logs-"))),
    builds: {} as Builds,
    variables,
    images: { findImage: async () => "sha256:0123", listImages: async () => [], pullImage: async () => "sha256:0123" },
    runtime,
    domain: "localhost",
    edgePort: 8080,
    edgeSyncMs: 0,
  });
  return { projects, routes, variables, deployments };
}

const site = (project: string, domains: string[]): ProjectFile => ({
  project,
  blocks: { web: { kind: "website", image: "berth-base/busybox:latest", port: 8080, domains } },
  environments: { dev: {} },
});

async function logOf(deployments: ReturnType<typeof setup>["deployments"], id: number) {
  const lines: string[] = [];
  await new Promise<void>((done) => deployments.follow(id, (line) => lines.push(line), done));
  return lines;
}

describe("a failed release", () => {
  test("a route another project holds fails the release naming the holder, and the containers it started are removed", async () => {
    const fake = fakeRuntime();
    const { projects, routes, deployments } = setup(fake.runtime);
    // As a project saved before domains were checked at apply would hold it.
    routes.replaceBlockRoutes("seca", "prod", "web", [{ host: "shop.example.com", pathPrefix: "", auth: "none", upstreams: [] }]);
    projects.saveProject(site("sech", ["shop.example.com"]));
    const release = await deployments.wait(deployments.deploy("sech", "dev").id);
    expect(release.status).toBe("failed");
    expect(release.reason).toBe('shop.example.com is already routed to block web of project "seca", environment prod');
    expect(fake.running).toEqual([]);
    expect(await logOf(deployments, release.id)).toContain("removed 1 container(s) this release started");
    expect(routes.listRoutes("seca", "prod").map((r) => r.host)).toEqual(["shop.example.com"]);
  });

  test("blocks whose traffic already switched keep serving; the block that failed loses its new containers", async () => {
    const fake = fakeRuntime();
    const { projects, routes, deployments } = setup(fake.runtime);
    routes.replaceBlockRoutes("other", "dev", "web", [{ host: "taken.example.com", pathPrefix: "", auth: "none", upstreams: [] }]);
    projects.saveProject({
      project: "two",
      blocks: {
        api: { kind: "microservice", image: "berth-base/busybox:latest", port: 80, expose: "public" },
        web: { kind: "website", image: "berth-base/busybox:latest", port: 8080, domains: ["taken.example.com"] },
      },
      environments: { dev: {} },
    });
    const release = await deployments.wait(deployments.deploy("two", "dev").id);
    expect(release.status).toBe("failed");
    expect(fake.running.map((c) => c.block)).toEqual(["api"]);
  });

  test("an engine error quoting a secret value is stored and shown redacted", async () => {
    const secret = "s3cr3t-value-that-must-not-leak";
    const fake = fakeRuntime((plan) => new Error(`container create failed: invalid env TOKEN=${plan.blocks[0]!.env.TOKEN}`));
    const { projects, variables, deployments } = setup(fake.runtime);
    projects.saveProject(site("leaky", []));
    variables.set({ project: "leaky", environment: "dev", block: "web" }, { TOKEN: secret }, true);
    const release = await deployments.wait(deployments.deploy("leaky", "dev").id);
    expect(release.status).toBe("failed");
    expect(release.reason).toBe("container create failed: invalid env TOKEN=[redacted]");
    const log = (await logOf(deployments, release.id)).join("\n");
    expect(log).toContain("TOKEN=[redacted]");
    expect(log).not.toContain(secret);
    expect(JSON.stringify(deployments.get(release.id))).not.toContain(secret);
  });
});
