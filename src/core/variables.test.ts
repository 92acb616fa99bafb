import { describe, expect, test } from "bun:test";
import { memoryState } from "../../test/support/state.ts";
import { randomBytes } from "node:crypto";
import { createSecretBox } from "../adapters/crypto/secret-box.ts";
import { createProjectStore } from "../adapters/store/project-store.ts";
import { createVariableStore } from "../adapters/store/variable-store.ts";
import { createVariables } from "./variables.ts";

const file = `project: shop
blocks:
  web:
    kind: website
    image: berth-base/busybox:latest
    port: 8080
    env: { MODE: plain }
  worker:
    kind: worker
    image: berth-base/busybox:latest
environments:
  dev: {}
  prod:
    blocks:
      web: { env: { MODE: fancy } }
`;

describe("variable fingerprints", () => {
  test("an environment's all at once equal each block's own, and follow each change", async () => {
    const { db, services } = memoryState();
    await services.projects.apply(file);
    const loaded = () => createProjectStore(db).loadProject("shop")!;
    const each = (environment: string) =>
      new Map(["web", "worker"].map((block) => [block, services.variables.fingerprint({ project: "shop", environment, block })]));
    expect(services.variables.fingerprints("shop", "dev", loaded())).toEqual(each("dev"));
    expect(services.variables.fingerprints("shop", "prod", loaded())).toEqual(each("prod"));
    const dev = each("dev");

    services.variables.set({ project: "shop", environment: "dev", block: "worker" }, { QUEUE: "jobs" }, false);
    services.variables.set({ project: "shop", environment: "dev", block: "worker" }, { TOKEN: "s3cret" }, true);
    const after = services.variables.fingerprints("shop", "dev", loaded());
    expect(after).toEqual(each("dev"));
    expect(after.get("worker")).not.toBe(dev.get("worker"));
    expect(after.get("web")).toBe(dev.get("web"));
    expect(each("prod").get("web")).not.toBe(dev.get("web"));
  });

  test("a release's record of every block at once equals each block's own snapshot and fingerprint", async () => {
    const { db, services } = memoryState();
    await services.projects.apply(file);
    services.variables.set({ project: "shop", environment: "prod", block: "worker" }, { QUEUE: "jobs" }, false);
    services.variables.set({ project: "shop", environment: "prod", block: "worker" }, { TOKEN: "s3cret" }, true);
    const all = services.variables.recordAll("shop", "prod", createProjectStore(db).loadProject("shop")!);
    expect([...all.keys()]).toEqual(["web", "worker"]);
    for (const block of ["web", "worker"]) {
      const ref = { project: "shop", environment: "prod", block };
      expect(all.get(block)).toEqual({ vars: services.variables.snapshot(ref), fingerprint: services.variables.fingerprint(ref) });
    }
    expect(all.get("web")!.vars.MODE).toEqual({ value: "fancy", secret: false });
    expect(all.get("worker")!.vars.TOKEN!.secret).toBe(true);
    expect(all.get("worker")!.vars.TOKEN!.value).not.toBe("s3cret");
  });
});

describe("secret values", () => {
  test("an environment's secrets of every block come from one read of its variables", async () => {
    const { db, services } = memoryState();
    await services.projects.apply(file);
    const store = createVariableStore(db);
    const reads = { perBlock: 0, perEnvironment: 0 };
    const counted = {
      ...store,
      listVariables: (...args: Parameters<typeof store.listVariables>) => (reads.perBlock++, store.listVariables(...args)),
      listEnvironmentVariables: (...args: Parameters<typeof store.listEnvironmentVariables>) => (reads.perEnvironment++, store.listEnvironmentVariables(...args)),
    };
    const variables = createVariables(createProjectStore(db), counted, createSecretBox(randomBytes(32)));
    variables.set({ project: "shop", environment: "dev", block: "web" }, { PASSWORD: "hunter2" }, true);
    variables.set({ project: "shop", environment: "dev", block: "worker" }, { TOKEN: "s3cret", QUEUE: "jobs" }, true);
    variables.set({ project: "shop", environment: "dev", block: "worker" }, { PLAIN: "shown" }, false);
    variables.set({ project: "shop", environment: "prod", block: "web" }, { OTHER: "prod-only" }, true);
    Object.assign(reads, { perBlock: 0, perEnvironment: 0 });

    expect(variables.secretValues("shop", "dev").sort()).toEqual(["hunter2", "jobs", "s3cret"]);
    // Per block, a release of 100 blocks made 200 queries at its start, twice.
    expect(reads).toEqual({ perBlock: 0, perEnvironment: 1 });
    expect(variables.secretValues("shop", "prod")).toEqual(["prod-only"]);
    expect(variables.secretValues("nothing", "dev")).toEqual([]);
  });
});
