import { describe, expect, test } from "bun:test";
import type { BlockPlan } from "../../../ports/runtime.ts";
import { containerSpec } from "./container-spec.ts";
import { containerName, sanitisePath, volumeName } from "./labels.ts";

const block: BlockPlan = {
  block: "db",
  kind: "service",
  image: "sha256:abc",
  env: { POSTGRES_PASSWORD: "p w'$x" },
  command: ["postgres", "-c", "fsync=off"],
  port: 5432,
  replicas: 1,
  memoryBytes: 256 * 1024 * 1024,
  cpus: 1.5,
  volumes: [{ path: "/var/lib/postgresql/data", size: "5Gi" }],
  pidsLimit: 512,
  stopGraceSeconds: 30,
  hash: "h1",
};

describe("container spec", () => {
  test("a service with a port, limits, a command and a volume", () => {
    const spec = containerSpec({
      project: "shop", env: "prod", release: 7, network: "berth-shop-prod", name: "berth-shop-prod-db-7-0-abcdef", index: 0, block,
      volumes: [{ name: "berth-shop-prod-db-var-lib-postgresql-data", path: "/var/lib/postgresql/data" }],
    });
    expect(spec).toEqual({
      name: "berth-shop-prod-db-7-0-abcdef",
      Image: "sha256:abc",
      Env: ["PORT=5432", "POSTGRES_PASSWORD=p w'$x"],
      Cmd: ["postgres", "-c", "fsync=off"],
      StopTimeout: 30,
      ExposedPorts: { "5432/tcp": {} },
      Labels: {
        "berth.managed": "true", "berth.project": "shop", "berth.env": "prod", "berth.block": "db",
        "berth.release": "7", "berth.hash": "h1", "berth.replica": "0", "berth.replicas": "1",
      },
      HostConfig: {
        Init: true,
        RestartPolicy: { Name: "no", MaximumRetryCount: 0 },
        NetworkMode: "berth-shop-prod",
        LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } },
        Mounts: [{ Type: "volume", Source: "berth-shop-prod-db-var-lib-postgresql-data", Target: "/var/lib/postgresql/data" }],
        PortBindings: { "5432/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] },
        Memory: 268435456,
        MemorySwap: 268435456,
        NanoCpus: 1_500_000_000,
        PidsLimit: 512,
        SecurityOpt: ["no-new-privileges"],
        CapDrop: ["NET_RAW", "MKNOD", "AUDIT_WRITE", "SETFCAP", "SYS_CHROOT", "SETPCAP"],
      },
      NetworkingConfig: { EndpointsConfig: { "berth-shop-prod": { Aliases: ["db"] } } },
    });
  });

  test("a worker: no port, no PORT variable, the image's own command, no limits; the plan's PORT wins", () => {
    const worker: BlockPlan = { block: "jobs", kind: "worker", image: "img", env: { A: "1" }, replicas: 2, volumes: [], hash: "h" };
    const spec = containerSpec({ project: "p", env: "e", release: 1, network: "n", name: "x", index: 1, block: worker, volumes: [] });
    expect(spec.Env).toEqual(["A=1"]);
    expect(spec).not.toHaveProperty("Cmd");
    expect(spec).not.toHaveProperty("ExposedPorts");
    expect(spec.HostConfig).not.toHaveProperty("PortBindings");
    expect(spec.HostConfig).not.toHaveProperty("Memory");
    expect(spec.HostConfig).not.toHaveProperty("NanoCpus");
    const web = containerSpec({ project: "p", env: "e", release: 1, network: "n", name: "x", index: 0, block: { ...worker, port: 80, env: { PORT: "3000" } }, volumes: [] });
    expect(web.Env).toEqual(["PORT=3000"]);
  });

  test("locked down by default: no-new-privileges, capabilities dropped, PIDs capped, image's user", () => {
    const spec = containerSpec({ project: "p", env: "e", release: 1, network: "n", name: "x", index: 0, block: { ...block, privileges: undefined }, volumes: [] });
    expect(spec.HostConfig?.SecurityOpt).toEqual(["no-new-privileges"]);
    expect(spec.HostConfig?.CapDrop).toEqual(["NET_RAW", "MKNOD", "AUDIT_WRITE", "SETFCAP", "SYS_CHROOT", "SETPCAP"]);
    expect(spec.HostConfig?.CapAdd).toBeUndefined();
    expect(spec.HostConfig?.PidsLimit).toBe(512);
    expect(spec).not.toHaveProperty("User");
  });

  test("privileges: standard keeps the engine's defaults; a user and a stop grace go into the spec", () => {
    const spec = containerSpec({
      project: "p", env: "e", release: 1, network: "n", name: "x", index: 0, volumes: [],
      block: { ...block, privileges: "standard", user: "1000:1000", stopGraceSeconds: 3 },
    });
    expect(spec.HostConfig).not.toHaveProperty("SecurityOpt");
    expect(spec.HostConfig).not.toHaveProperty("CapDrop");
    expect(spec.HostConfig?.Memory).toBe(268435456);
    expect(spec.User).toBe("1000:1000");
    expect(spec.StopTimeout).toBe(3);
  });

  test("names", () => {
    expect(containerName("shop", "prod", "web", 3, 1, "a1b2c3")).toBe("berth-shop-prod-web-3-1-a1b2c3");
    expect(containerName("shop", "prod", "web", 3, 1)).toMatch(/^berth-shop-prod-web-3-1-[0-9a-f]{6}$/);
    expect(containerName("shop", "prod", "web", 3, 1)).not.toBe(containerName("shop", "prod", "web", 3, 1));
    expect(volumeName("shop", "prod", "db", "/var/lib/postgresql/data/")).toBe("berth-shop-prod-db-var-lib-postgresql-data");
    expect(sanitisePath("/srv/my files/ü.db")).toBe("srv-my_files-_.db");
    expect(sanitisePath("/")).toBe("root");
  });
});
