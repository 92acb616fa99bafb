import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryState } from "../../../test/support/state.ts";
import { parseProjectFile } from "../../core/project-file/parse.ts";
import { migrate, openDb } from "./db.ts";

const example = readFileSync(join(import.meta.dir, "../../../test/fixtures/example.berth.yaml"), "utf8");

describe("state database", () => {
  test("a fresh file migrates, and a second start applies nothing", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "berth-db-")), "berth.db");
    const first = openDb(path);
    expect(migrate(first)).toBeGreaterThan(0);
    expect((first.$client.query("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode).toBe("wal");
    first.$client.close();
    const second = openDb(path);
    expect(migrate(second)).toBe(0);
    second.$client.close();
  });

  test("a project round-trips through the store exactly", async () => {
    const { services } = memoryState();
    await services.projects.apply(example);
    expect(services.projects.get("todo")).toEqual(parseProjectFile(example));
  });

  test("re-applying keeps rows, so variables set on a block survive", async () => {
    const { services } = memoryState();
    await services.projects.apply(example);
    const ref = { project: "todo", environment: "prod", block: "api" };
    services.variables.set(ref, { KEEP: "1" }, false);
    await services.projects.apply(example.replace("port: 8000", "port: 8001"));
    expect(services.variables.list(ref).find((v) => v.name === "KEEP")?.value).toBe("1");
  });

  test("removing a block or an environment removes what hangs off it", async () => {
    const { services, db } = memoryState();
    await services.projects.apply(example);
    services.variables.set({ project: "todo", environment: "prod", block: "nightly" }, { A: "1" }, false);
    await services.projects.apply(example.replace(/  nightly:[\s\S]*?timeout: 10m\n/, ""));
    expect((db.$client.query("SELECT count(*) AS n FROM variables").get() as { n: number }).n).toBe(0);
    await services.projects.apply(example.replace(/  prod:[\s\S]*$/, ""), { prune: true });
    expect((db.$client.query("SELECT count(*) AS n FROM block_overrides").get() as { n: number }).n).toBe(0);
    expect(Object.keys(services.projects.get("todo").environments)).toEqual(["dev"]);
  });

  test("an environment missing from the file is kept unless pruned, and nothing is written", async () => {
    const { services } = memoryState();
    await services.projects.apply(example);
    const without = example.replace(/  prod:[\s\S]*$/, "").replace("port: 8000", "port: 9000");
    await expect(services.projects.apply(without)).rejects.toThrow('environment "prod" exists but is not in the file');
    expect(services.projects.get("todo").blocks.api!.port).toBe(8000);
  });

  test("cloning an environment copies its overrides and variables", async () => {
    const { services } = memoryState();
    await services.projects.apply(example);
    services.variables.set({ project: "todo", environment: "prod", block: "api" }, { S: "x" }, true);
    services.environments.create("todo", "staging", "prod");
    const file = services.projects.get("todo");
    // Custom domains belong to one environment: the clone gets everything else.
    const { domains: _domains, ...web } = file.environments.prod!.blocks!.web!;
    expect(file.environments.staging).toEqual({ ...file.environments.prod!, blocks: { ...file.environments.prod!.blocks, web } });
    expect(services.variables.resolve({ project: "todo", environment: "staging", block: "api" }).S).toBe("x");
  });

  test("deleting a project cascades to everything in it", async () => {
    const { services, db } = memoryState();
    await services.projects.apply(example);
    services.variables.set({ project: "todo", environment: "dev", block: "web" }, { A: "1" }, true);
    await services.projects.delete("todo");
    for (const table of ["blocks", "environments", "block_overrides", "variables"]) {
      expect((db.$client.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n).toBe(0);
    }
  });
});
