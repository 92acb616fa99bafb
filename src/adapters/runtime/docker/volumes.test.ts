// Named volumes of service blocks on the real engine: kept across releases, deleted only on purge.
import { describe, expect, test } from "bun:test";
import type { BlockPlan } from "../../../ports/runtime.ts";
import { get, recordingHooks, sh, stateOf, useRuntimeTestKit } from "./runtime-test-kit.ts";

const { docker, project, runtime, env, httpBlock } = useRuntimeTestKit();

/** A service keeping its data in /var/lib/store, serving the file `data` over HTTP. */
const store = (version: string, extra: Partial<BlockPlan> = {}) =>
  httpBlock("store", version, {
    kind: "service",
    volumes: [{ path: "/var/lib/store", size: "1Gi" }],
    command: ["sh", "-c", `echo ${version} > /tmp/v; exec httpd -f -p 8080 -h /var/lib/store`],
    healthPath: undefined,
    ...extra,
  });

const exec = (id: string, script: string) => sh(["docker", "exec", id, "sh", "-c", script]);

describe("docker runtime volumes (real engine)", () => {
  test.concurrent("data written to a volume survives a redeploy; the old replica stops before the new one starts", async () => {
    const e = env();
    const volume = `berth-${project}-${e}-store-var-lib-store`;
    const [v1] = await runtime.apply({ project, environment: e, release: 1, blocks: [store("v1")] }, recordingHooks().hooks);
    expect(v1).toMatchObject({ ok: true });
    expect(exec(v1!.containers[0]!, "echo kept > /var/lib/store/data").code).toBe(0);

    const info = await docker.getVolume(volume).inspect();
    expect(info.Labels).toEqual({
      "berth.managed": "true", "berth.project": project, "berth.env": e, "berth.block": "store", "berth.volume.path": "/var/lib/store",
    });

    const { hooks, events } = recordingHooks();
    const [v2] = await runtime.apply({ project, environment: e, release: 2, blocks: [store("v2")] }, hooks);
    expect(v2).toMatchObject({ ok: true });
    expect(events).toEqual([
      "log store: stopping 1 old replica(s) first, as the block has volumes",
      "log store: starting 1 replica(s) of release 2",
      `log store: healthy on 127.0.0.1:${v2!.upstreams[0]!.port}`,
      "switch store",
      "log store: stopping 1 old replica(s)",
    ]);
    expect(await stateOf(docker, v1!.containers[0]!)).toBe("gone");
    expect(exec(v2!.containers[0]!, "cat /var/lib/store/data; cat /tmp/v")).toEqual({ code: 0, out: "kept\nv2" });
    expect(await get(v2!.upstreams[0], "/data")).toBe("kept");
  }, 120_000);

  test.concurrent("a failed redeploy of a block with volumes starts the old replica again and points traffic at it", async () => {
    const e = env();
    const [v1] = await runtime.apply({ project, environment: e, release: 1, blocks: [store("v1")] }, recordingHooks().hooks);
    exec(v1!.containers[0]!, "echo kept > /var/lib/store/data");
    const broken = store("v2", { command: ["sh", "-c", "echo cannot open /var/lib/store/lock; exit 2"] });

    const { hooks, switches, logs } = recordingHooks();
    const [outcome] = await runtime.apply({ project, environment: e, release: 2, blocks: [broken] }, hooks);
    expect(outcome!.ok).toBe(false);
    expect(outcome!.reason).toBe("health check failed for store: replica 0 exited with code 2; last log lines: cannot open /var/lib/store/lock");
    // The old replica gets traffic back only after it passed the health check again.
    const restarting = logs.indexOf("store: starting the 1 old replica(s) again");
    expect(restarting).toBeGreaterThan(-1);
    expect(logs.slice(restarting + 1).some((line) => /^store: .*healthy/.test(line))).toBe(true);
    expect(outcome!.containers).toEqual(v1!.containers);
    // A restart publishes on a new host port, so traffic follows it there.
    expect(switches).toEqual([{ block: "store", upstreams: outcome!.upstreams }]);
    expect(await get(outcome!.upstreams[0], "/data")).toBe("kept");
    expect((await runtime.status(project, e))[0]).toMatchObject({ state: "running", release: 1, ready: 1 });
  }, 120_000);

  test.concurrent("remove keeps volumes unless purging; a later apply finds the data again", async () => {
    const e = env();
    const volume = `berth-${project}-${e}-store-var-lib-store`;
    const [v1] = await runtime.apply({ project, environment: e, release: 1, blocks: [store("v1")] }, recordingHooks().hooks);
    exec(v1!.containers[0]!, "echo kept > /var/lib/store/data");

    await runtime.remove(project, e, { purgeVolumes: false });
    expect(await stateOf(docker, v1!.containers[0]!)).toBe("gone");
    expect(sh(["docker", "network", "inspect", `berth-${project}-${e}`]).code).not.toBe(0);
    expect(sh(["docker", "volume", "inspect", volume]).code).toBe(0);

    const [back] = await runtime.apply({ project, environment: e, release: 2, blocks: [store("v1")] }, recordingHooks().hooks);
    expect(await get(back!.upstreams[0], "/data")).toBe("kept");

    await runtime.remove(project, e, { purgeVolumes: true });
    expect(sh(["docker", "volume", "inspect", volume]).code).not.toBe(0);
    expect(await runtime.status(project, e)).toEqual([]);
  }, 120_000);
});
