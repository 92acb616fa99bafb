import { describe, expect, test } from "bun:test";
import { memoryState } from "../../../test/support/state.ts";
import { createProjectStore } from "../../adapters/store/project-store.ts";
import { createReleaseStore } from "../../adapters/store/release-store.ts";
import { createRouteStore } from "../../adapters/store/route-store.ts";
import type { BlockRuntimeStatus, EnvironmentRef, Runtime } from "../../ports/runtime.ts";
import type { BlockSpec } from "../project-file/schema.ts";
import { createRouteSync } from "./route-sync.ts";

const WEB: BlockSpec = { kind: "website", image: "web:1", port: 8080 } as BlockSpec;
const row = (port: number, over: Partial<BlockRuntimeStatus> = {}): BlockRuntimeStatus => ({
  block: "web", state: "running", ready: 1, wanted: 1, image: "sha256:1", release: 1, upstreams: [{ host: "127.0.0.1", port }], restarts: 0, lastLog: [], ...over,
});

/** Real SQLite with the real migrations; the engine is a fake whose rows the test sets. */
async function setup(status: "deployed" | "failed" = "deployed") {
  const { db, services } = memoryState();
  await services.projects.apply("project: p\nblocks:\n  web: { kind: website, image: 'web:1', port: 8080 }\nenvironments:\n  dev: {}\n");
  const releases = createReleaseStore(db);
  const release = releases.freezeRelease(releases.createRelease("p", "dev").id, [{ name: "web", image: "web:1", imageId: "sha256:1", commit: null, spec: WEB }]);
  releases.finishRelease(release.id, status, status === "failed" ? "interrupted" : null);
  const routes = createRouteStore(db);
  let rows = [row(40001)];
  let deploying = false;
  let emit: (changed: EnvironmentRef | null) => void = () => {};
  const runtime = {
    status: async () => rows,
    watch: (onChange: (changed: EnvironmentRef | null) => void) => ((emit = onChange), () => {}),
  } as unknown as Runtime;
  const store = createProjectStore(db);
  const reads = { projectLists: 0 };
  const projects = { ...store, listProjects: () => (reads.projectLists++, store.listProjects()) };
  const sync = createRouteSync({ projects, releases, routes, runtime, domain: "localhost", deploying: () => deploying });
  const ports = () => routes.listRoutes("p", "dev").flatMap((r) => r.upstreams.map((u) => u.port));
  return { sync, ports, reads, setRows: (next: BlockRuntimeStatus[]) => (rows = next), setDeploying: (on: boolean) => (deploying = on), emit: (ref: EnvironmentRef | null) => emit(ref) };
}

describe("syncRoutes after container ports change", () => {
  test("routes move to the new port; a second pass changes nothing", async () => {
    const s = await setup();
    expect(await s.sync.all()).toBe(1);
    expect(s.ports()).toEqual([40001]);
    s.setRows([row(40002)]);
    expect(await s.sync.all()).toBe(1);
    expect(s.ports()).toEqual([40002]);
    expect(await s.sync.all()).toBe(0);
  });

  test("a release a stopped server never finished is routed as it says, since its containers run", async () => {
    const s = await setup("failed");
    expect(await s.sync.all()).toBe(1);
    expect(s.ports()).toEqual([40001]);
  });

  test("nothing up, or a deploy in progress: routes are left as they are", async () => {
    const s = await setup();
    await s.sync.all();
    s.setRows([row(40002, { state: "failed", ready: 0, upstreams: [] })]);
    expect(await s.sync.all()).toBe(0);
    s.setRows([row(40003)]);
    s.setDeploying(true);
    expect(await s.sync.all()).toBe(0);
    expect(s.ports()).toEqual([40001]);
  });

  test("a burst of engine events for the environment leads to one read after it; other installs' environments are ignored", async () => {
    const s = await setup();
    const lines: string[] = [];
    const stop = s.sync.follow((line) => lines.push(line));
    s.setRows([row(40005)]);
    s.emit({ project: "p", environment: "dev" });
    s.emit({ project: "other", environment: "dev" });
    s.emit({ project: "p", environment: "dev" });
    for (let i = 0; i < 50 && !s.ports().length; i++) await Bun.sleep(20);
    stop();
    expect(s.ports()).toEqual([40005]);
    expect(lines).toEqual(["routes: 1 block(s) of p/dev now point at what runs"]);
  });

  test("a burst of events asks which environments are this install's once, not once per event", async () => {
    const s = await setup();
    const lines: string[] = [];
    const stop = s.sync.follow((line) => lines.push(line));
    s.setRows([row(40006)]);
    for (let i = 0; i < 30; i++) s.emit({ project: "p", environment: "dev" });
    for (let i = 0; i < 30; i++) s.emit({ project: "other", environment: "dev" });
    for (let i = 0; i < 50 && !s.ports().length; i++) await Bun.sleep(20);
    await Bun.sleep(50);
    stop();
    expect(s.ports()).toEqual([40006]);
    // One per environment that had events: p/dev and the other install's.
    expect(s.reads.projectLists).toBe(2);
  });
});

describe("routes of a block a later release kept running", () => {
  test("follow the later release's spec (a domain added without new containers)", async () => {
    const { db, services } = memoryState();
    await services.projects.apply("project: p\nblocks:\n  web: { kind: website, image: 'web:1', port: 8080 }\nenvironments:\n  dev: {}\n");
    const releases = createReleaseStore(db);
    for (const spec of [WEB, { ...WEB, domains: ["shop.example.com"] }]) {
      const release = releases.freezeRelease(releases.createRelease("p", "dev").id, [{ name: "web", image: "web:1", imageId: "sha256:1", commit: null, spec }]);
      releases.finishRelease(release.id, "deployed", null);
    }
    const routes = createRouteStore(db);
    // The containers still carry release 1's label: release 2 changed nothing they run.
    const runtime = { status: async () => [row(40001, { release: 1 })], watch: () => () => {} } as unknown as Runtime;
    const sync = createRouteSync({ projects: createProjectStore(db), releases, routes, runtime, domain: "localhost", deploying: () => false });
    await sync.all();
    expect(routes.listRoutes("p", "dev").map((r) => r.host).sort()).toEqual(["shop.example.com", "web.dev.p.localhost"]);
  });
});
