import { expect, test } from "bun:test";
import { memoryState } from "../../../test/support/state.ts";
import { createBuildStore } from "../../adapters/store/build-store.ts";
import { createProjectStore } from "../../adapters/store/project-store.ts";
import type { BuildLogStore } from "../../ports/build-store.ts";
import { DEFAULT_PRESET_IMAGES } from "../build-presets.ts";
import { createBuilds } from "./builds.ts";

const FILE = `project: shop
blocks:
  web:
    kind: website
    git: { url: "https://git.example.com/shop.git" }
    port: 8080
`;

test("a build's log lines and failure reason never carry a secret value of its environment", async () => {
  const secret = "build-time-s3cret-unique";
  const { db, services } = memoryState();
  await services.projects.apply(FILE);
  services.variables.set({ project: "shop", environment: "dev", block: "web" }, { API_KEY: secret }, true);
  const lines = new Map<number, string[]>();
  const logs: BuildLogStore = { append: (id, l) => lines.set(id, [...(lines.get(id) ?? []), ...l]), read: (id) => lines.get(id) ?? [] };
  const builds = createBuilds({
    projects: createProjectStore(db),
    store: createBuildStore(db),
    logs,
    credentials: { read: () => undefined },
    git: { subjects: async () => [], resolve: async () => "a".repeat(40), head: async () => undefined, checkout: async (_s, c) => ({ commit: c, dir: "/tmp/x", cleanup: async () => {} }) },
    builder: {
      async build(request) {
        request.onLog?.(`Step 3/4 : RUN echo ${secret}`);
        throw new Error(`The command '/bin/sh -c echo ${secret}' returned a non-zero code: 1`);
      },
      findImage: async () => null,
      listImages: async () => [],
      removeImage: async () => {},
    },
    settings: { limits: { memoryBytes: 1 << 30, cpus: 1, timeoutMs: 60_000 }, concurrency: 1, imagesKept: 5, presetImages: DEFAULT_PRESET_IMAGES },
    referencedImages: () => new Set(),
    secrets: (project, environment) => services.variables.secretValues(project, environment),
  });
  const build = await builds.wait(builds.start({ project: "shop", block: "web" }).id);
  expect(build.status).toBe("failed");
  expect(build.reason).toBe("The command '/bin/sh -c echo [redacted]' returned a non-zero code: 1");
  const log = lines.get(build.id)!.join("\n");
  expect(log).toContain("RUN echo [redacted]");
  expect(log).not.toContain(secret);
});
