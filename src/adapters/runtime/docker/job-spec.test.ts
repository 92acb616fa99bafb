import { describe, expect, test } from "bun:test";
import type { BlockPlan } from "../../../ports/runtime.ts";
import { jobContainerSpec } from "./job-run.ts";

const plan: BlockPlan = {
  block: "migrate",
  kind: "job",
  image: "sha256:job",
  env: { DATABASE_URL: "postgres://db/shop" },
  command: ["sh", "-c", "exec ./migrate"],
  replicas: 1,
  memoryBytes: 128 * 1024 * 1024,
  volumes: [],
  pidsLimit: 256,
  hash: "h1",
};

describe("job container spec", () => {
  const spec = jobContainerSpec({ runId: 42, project: "shop", environment: "prod", release: 7, plan }, "berth-shop-prod");

  test("labelled like every Berth object, plus the run it belongs to", () => {
    expect(spec.name).toBe("berth-shop-prod-migrate-run-42");
    expect(spec.Labels).toMatchObject({
      "berth.managed": "true",
      "berth.project": "shop",
      "berth.env": "prod",
      "berth.block": "migrate",
      "berth.release": "7",
      "berth.job-run": "42",
    });
  });

  test("on the environment's network with no name there, no published port, never restarted", () => {
    expect(spec.NetworkingConfig).toEqual({ EndpointsConfig: { "berth-shop-prod": {} } });
    expect(spec.HostConfig!.NetworkMode).toBe("berth-shop-prod");
    expect(spec.HostConfig!.PortBindings).toBeUndefined();
    expect(spec.ExposedPorts).toBeUndefined();
    expect(spec.HostConfig!.RestartPolicy).toEqual({ Name: "no", MaximumRetryCount: 0 });
  });

  test("the job's command, variables and limits, locked down like other blocks", () => {
    expect(spec.Cmd).toEqual(["sh", "-c", "exec ./migrate"]);
    expect(spec.Env).toEqual(["DATABASE_URL=postgres://db/shop"]);
    expect(spec.HostConfig).toMatchObject({ Memory: 128 * 1024 * 1024, MemorySwap: 128 * 1024 * 1024, PidsLimit: 256, SecurityOpt: ["no-new-privileges"] });
  });
});
