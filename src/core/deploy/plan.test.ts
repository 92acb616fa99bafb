import { describe, expect, test } from "bun:test";
import { BerthError } from "../errors.ts";
import type { BlockSpec } from "../project-file/schema.ts";
import { blockPlan } from "./plan.ts";

const plan = (spec: BlockSpec, defaults?: Parameters<typeof blockPlan>[3]) =>
  blockPlan({ name: "web", image: "img", imageId: "sha256:1", commit: null, spec }, {}, "f", defaults);

describe("block plans", () => {
  test("a static preset without a port listens on the preset port and is routed there", () => {
    const web = plan({ kind: "website", git: { url: "file:///r" }, build: { preset: "static" } });
    expect(web.port).toBe(8080);
    expect(web.env).toEqual({ PORT: "8080" });
  });

  test("a routed block with no port is refused rather than reported running with nothing to route to", () => {
    expect(() => plan({ kind: "website", image: "busybox" })).toThrow(BerthError);
    expect(() => plan({ kind: "microservice", image: "busybox", expose: "public" })).toThrow("web: a microservice block needs a port for the edge to route to");
    expect(plan({ kind: "worker", git: { url: "file:///r" }, build: { preset: "python" } }).port).toBeUndefined();
  });

  test("blocks without resources get the default memory and PID limits, restricted privileges and a 10 s stop grace", () => {
    expect(plan({ kind: "worker", image: "i" })).toMatchObject({ memoryBytes: 512 * 1024 ** 2, pidsLimit: 512, privileges: "restricted", stopGraceSeconds: 10 });
    expect(plan({ kind: "worker", image: "i" }, { memoryBytes: 1024, pidsLimit: 64, stopGraceSeconds: 5 })).toMatchObject({ memoryBytes: 1024, pidsLimit: 64, stopGraceSeconds: 5 });
  });

  test("a block's own limits, grace, privileges and user win", () => {
    const own = plan({ kind: "worker", image: "i", resources: { memory: "64Mi", pids: 100 }, stopGracePeriod: "2m", security: { privileges: "standard" }, user: "1000:1000" });
    expect(own).toMatchObject({ memoryBytes: 64 * 1024 ** 2, pidsLimit: 100, stopGraceSeconds: 120, privileges: "standard", user: "1000:1000" });
    expect(own.hash).not.toBe(plan({ kind: "worker", image: "i", resources: { memory: "64Mi", pids: 100 }, stopGracePeriod: "2m" }).hash);
  });

  test("a command string runs under sh and execs its last command", () => {
    expect(plan({ kind: "worker", image: "i", command: "migrate && serve" }).command).toEqual(["sh", "-c", "migrate && exec serve"]);
    expect(plan({ kind: "worker", image: "i", command: ["serve", "--port", "1"] }).command).toEqual(["serve", "--port", "1"]);
  });
});
