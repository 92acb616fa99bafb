import { describe, expect, test } from "bun:test";
import { memoryState } from "../../../test/support/state.ts";
import { createBuildStore } from "../../adapters/store/build-store.ts";
import type { BuildLogStore } from "../../ports/build-store.ts";
import type { GitSource } from "../../ports/git-source.ts";
import type { ImageBuilder, ImageBuildRequest, ImageInfo } from "../../ports/image-builder.ts";
import { createProjectStore } from "../../adapters/store/project-store.ts";
import { DEFAULT_PRESET_IMAGES } from "../build-presets.ts";
import { createBuilds } from "./builds.ts";

const FILE = `project: shop
blocks:
  web:
    kind: website
    git: { url: "https://git.example.com/shop.git", path: site }
    port: 8080
  db: { kind: service, image: "postgres:16", port: 5432 }
`;

/** Small fakes of the git and engine ports: this is the use case's logic, not the adapters'. */
async function harness(options: { buildGate?: Promise<void>; imagesKept?: number; output?: string[]; logLimitBytes?: number } = {}) {
  const { db, services } = memoryState();
  await services.projects.apply(FILE);
  const images: ImageInfo[] = [{ id: "sha256:foreign", tags: ["someone/else:1"], labels: {}, createdAt: 0 }];
  const requests: ImageBuildRequest[] = [];
  let commit = "a".repeat(40);
  const git: GitSource = {
    subjects: async () => [],
    resolve: async (source) => {
      if (source.ref === "missing") throw new Error('ref "missing" not found\nmore detail that is not the reason');
      return commit;
    },
    head: async () => commit,
    checkout: async (_s, c, path) => ({ commit: c, dir: `/tmp/${path}`, cleanup: async () => {} }),
  };
  const builder: ImageBuilder = {
    async build(request) {
      requests.push(request);
      for (const line of options.output ?? []) request.onLog(line);
      await options.buildGate;
      if (request.signal?.aborted) throw new Error("build cancelled");
      const id = `sha256:${requests.length}`;
      images.push({ id, tags: [request.tag], labels: request.labels, createdAt: requests.length });
      return { imageId: id };
    },
    findImage: async (ref) => images.find((i) => i.tags.includes(ref))?.id ?? null,
    listImages: async (labels) => images.filter((i) => Object.entries(labels).every(([k, v]) => i.labels[k] === v)),
    removeImage: async (id) => void images.splice(images.findIndex((i) => i.id === id), 1),
  };
  const lines = new Map<number, string[]>();
  const logs: BuildLogStore = { append: (id, l) => lines.set(id, [...(lines.get(id) ?? []), ...l]), read: (id) => lines.get(id) ?? [] };
  const builds = createBuilds({
    projects: createProjectStore(db),
    store: createBuildStore(db),
    logs,
    credentials: { read: () => undefined },
    git,
    builder,
    settings: { limits: { memoryBytes: 1 << 30, cpus: 1, timeoutMs: 60_000 }, concurrency: 1, imagesKept: options.imagesKept ?? 5, presetImages: DEFAULT_PRESET_IMAGES, logLimitBytes: options.logLimitBytes },
    referencedImages: () => new Set(["sha256:1"]),
  });
  return { builds, requests, images, services, newCommit: (c: string) => (commit = c.repeat(40)) };
}

describe("builds", () => {
  test("a build's log is capped at the limit with one notice, the build goes on and its outcome is still logged", async () => {
    const output = Array.from({ length: 5000 }, (_, i) => `line ${i} ${"x".repeat(40)}`);
    const { builds } = await harness({ output, logLimitBytes: 4096 });
    const done = await builds.wait(builds.start({ project: "shop", block: "web" }).id);
    expect(done.status).toBe("succeeded");
    const lines = builds.logLines(done.id);
    const notices = lines.filter((l) => l.startsWith("... log truncated at 4096 bytes (setting buildLogLimit): the build goes on"));
    expect(notices).toHaveLength(1);
    const kept = lines.slice(0, lines.indexOf(notices[0]!));
    expect(kept.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0)).toBeLessThanOrEqual(4096);
    expect(kept.some((l) => l.startsWith("line 0 "))).toBe(true);
    expect(lines.at(-1)).toBe(`build #${done.id} succeeded: ${done.image}`);
    expect(lines.length).toBeLessThan(200);
  });

  test("a build resolves the ref, builds the subfolder and records the image", async () => {
    const { builds, requests } = await harness();
    const done = await builds.wait(builds.start({ project: "shop", block: "web" }).id);
    expect(done).toMatchObject({ status: "succeeded", environment: "dev", commit: "a".repeat(40), cacheHit: false });
    expect(done.image).toStartWith("berth/shop/web:aaaaaaaaaaaa-");
    expect(requests[0]).toMatchObject({ contextDir: "/tmp/site", dockerfile: "Dockerfile", labels: { "berth.managed": "true", "berth.project": "shop", "berth.block": "web" } });
    expect(builds.logLines(done.id).at(-1)).toBe(`build #${done.id} succeeded: ${done.image}`);
  });

  test("the same commit and config again is a cache hit; a new commit builds", async () => {
    const { builds, requests, newCommit } = await harness();
    await builds.wait(builds.start({ project: "shop", block: "web" }).id);
    const again = await builds.wait(builds.start({ project: "shop", block: "web" }).id);
    expect([again.status, again.cacheHit, requests.length]).toEqual(["succeeded", true, 1]);
    newCommit("b");
    const next = await builds.wait(builds.start({ project: "shop", block: "web" }).id);
    expect([next.cacheHit, requests.length]).toEqual([false, 2]);
  });

  test("a newer build of the same block replaces a queued one", async () => {
    let open = () => {};
    const { builds } = await harness({ buildGate: new Promise<void>((r) => (open = r)) });
    const first = builds.start({ project: "shop", block: "web" });
    const second = builds.start({ project: "shop", block: "web", ref: "v1" });
    const third = builds.start({ project: "shop", block: "web", ref: "v2" });
    expect(builds.get(second.id)).toMatchObject({ status: "cancelled", reason: `replaced by build #${third.id}` });
    open();
    expect((await builds.wait(first.id)).status).toBe("succeeded");
    expect((await builds.wait(third.id)).status).toBe("succeeded");
  });

  test("cancel stops a queued build at once and a running one through its signal", async () => {
    let open = () => {};
    const { builds } = await harness({ buildGate: new Promise<void>((r) => (open = r)) });
    const running = builds.start({ project: "shop", block: "web" });
    const queued = builds.start({ project: "shop", block: "web", ref: "v1" });
    await Bun.sleep(10);
    expect(builds.cancel(queued.id).status).toBe("cancelled");
    builds.cancel(running.id);
    open();
    expect(await builds.wait(running.id)).toMatchObject({ status: "cancelled", reason: "cancelled" });
    expect(() => builds.cancel(running.id)).toThrow("already cancelled");
  });

  test("a block that runs an image has nothing to build", async () => {
    const { builds } = await harness();
    expect(() => builds.start({ project: "shop", block: "db" })).toThrow("runs the image postgres:16");
  });

  test("cleanup keeps the newest images and those releases use, and never others' images", async () => {
    const { builds, images, newCommit } = await harness({ imagesKept: 1 });
    for (const c of ["b", "c", "d"]) {
      newCommit(c);
      await builds.wait(builds.start({ project: "shop", block: "web" }).id);
    }
    expect(images.map((i) => i.id).sort()).toEqual(["sha256:1", "sha256:3", "sha256:foreign"]);
  });

  test("a failure is recorded as failed with its one-line reason", async () => {
    const { builds } = await harness();
    const failed = await builds.wait(builds.start({ project: "shop", block: "web", ref: "missing" }).id);
    expect(failed).toMatchObject({ status: "failed", reason: 'ref "missing" not found' });
  });
});
