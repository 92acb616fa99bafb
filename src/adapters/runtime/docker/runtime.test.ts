// Apply, replace, failed health checks and status on the real engine; see runtime-test-kit.ts.
import { describe, expect, test } from "bun:test";
import Dockerode from "dockerode";
import { expectBerthError } from "../../../../test/support/errors.ts";
import type { Upstream } from "../../../ports/runtime.ts";
import { createDockerRuntime } from "./runtime.ts";
import { FAST, get, recordingHooks, stateOf, useRuntimeTestKit } from "./runtime-test-kit.ts";

const { docker, project, runtime, env, httpBlock } = useRuntimeTestKit();
const MiB = 1024 * 1024;

describe("docker runtime (real engine)", () => {
  test.concurrent("apply creates the labelled network and containers, published on 127.0.0.1 only, answering", async () => {
    const e = env();
    const web = httpBlock("web", "v1", { replicas: 2, env: { GREETING: "hi there" }, memoryBytes: 64 * MiB, cpus: 0.5 });
    const { hooks, switches, logs } = recordingHooks();
    const [outcome] = await runtime.apply({ project, environment: e, release: 1, blocks: [web] }, hooks);

    expect(outcome).toMatchObject({ block: "web", ok: true });
    expect(outcome!.containers).toHaveLength(2);
    expect(outcome!.upstreams).toHaveLength(2);
    for (const upstream of outcome!.upstreams) expect(await get(upstream)).toBe("v1");
    expect(switches).toEqual([{ block: "web", upstreams: outcome!.upstreams }]);
    expect(logs[0]).toBe("web: starting 2 replica(s) of release 1");
    expect(logs).toContain(`web: healthy on 127.0.0.1:${outcome!.upstreams[0]!.port}`);

    const network = await docker.getNetwork(`berth-${project}-${e}`).inspect();
    expect(network.Labels).toEqual({ "berth.managed": "true", "berth.project": project, "berth.env": e });
    for (const [index, id] of outcome!.containers.entries()) {
      const info = await docker.getContainer(id).inspect();
      expect(info.Name).toMatch(new RegExp(`^/berth-${project}-${e}-web-1-${index}-[0-9a-f]{6}$`));
      expect(info.Config.Labels).toMatchObject({
        "berth.managed": "true", "berth.project": project, "berth.env": e, "berth.block": "web",
        "berth.release": "1", "berth.hash": web.hash, "berth.replica": String(index),
      });
      expect(info.HostConfig.Init).toBe(true);
      expect(info.HostConfig.RestartPolicy?.Name).toBe("unless-stopped");
      expect([info.HostConfig.Memory, info.HostConfig.MemorySwap, info.HostConfig.NanoCpus]).toEqual([64 * MiB, 64 * MiB, 5e8]);
      expect(info.Config.Env).toEqual(expect.arrayContaining(["PORT=8080", "GREETING=hi there"]));
      const bindings = info.NetworkSettings.Ports["8080/tcp"] ?? [];
      expect(bindings.map((b) => b.HostIp)).toEqual(["127.0.0.1"]);
      expect(info.NetworkSettings.Networks[`berth-${project}-${e}`]?.Aliases).toContain("web");
    }
  }, 120_000);

  test.concurrent("applying the same plan again changes nothing and calls nothing", async () => {
    const e = env();
    const plan = { project, environment: e, release: 1, blocks: [httpBlock("web", "v1", { replicas: 2 })] };
    const first = await runtime.apply(plan, recordingHooks().hooks);
    const again = recordingHooks();
    const second = await runtime.apply({ ...plan, release: 2 }, again.hooks);

    expect(second).toEqual(first);
    expect(again.switches).toEqual([]);
    expect(again.logs).toEqual([]);
    const listed = await docker.listContainers({ all: true, filters: { label: [`berth.project=${project}`, `berth.env=${e}`] } });
    expect(listed.map((c) => c.Id).sort()).toEqual([...first[0]!.containers].sort());
    // The unchanged block keeps the release it was started with.
    expect((await runtime.status(project, e))[0]).toMatchObject({ release: 1, state: "running", ready: 2, wanted: 2 });
  }, 120_000);

  test.concurrent("two applies of one environment at once run one after the other: one set of containers", async () => {
    const e = env();
    const plan = { project, environment: e, release: 1, blocks: [httpBlock("web", "v1", { replicas: 2 })] };
    const [first, second] = await Promise.all([runtime.apply(plan, recordingHooks().hooks), runtime.apply(plan, recordingHooks().hooks)]);
    expect(second).toEqual(first!);
    const listed = await docker.listContainers({ all: true, filters: { label: [`berth.project=${project}`, `berth.env=${e}`] } });
    expect(listed).toHaveLength(2);
  }, 120_000);

  test("a changed plan switches traffic to healthy new replicas before the old stop; no request fails", async () => {
    const e = env();
    const [v1] = await runtime.apply({ project, environment: e, release: 1, blocks: [httpBlock("web", "v1")] }, recordingHooks().hooks);
    const oldId = v1!.containers[0]!;

    // A stand-in edge: requests go to whatever switchTraffic last named, all through the replace.
    let routes: Upstream[] = v1!.upstreams;
    const answers: string[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        answers.push(await get(routes[0]).catch((error: unknown) => `failed: ${String(error)}`));
        await Bun.sleep(20);
      }
    })();
    const { hooks, events } = recordingHooks(async (_block, upstreams) => {
      events.push(`old is ${await stateOf(docker, oldId)} and answers ${await get(v1!.upstreams[0])}`);
      events.push(`new answers ${await get(upstreams[0])}`);
      routes = upstreams;
    });
    const started = Date.now();
    const [v2] = await runtime.apply({ project, environment: e, release: 2, blocks: [httpBlock("web", "v2")] }, hooks);
    const took = Date.now() - started;
    polling = false;
    await poller;

    expect(v2).toMatchObject({ ok: true });
    const at = events.indexOf("switch web");
    expect(events.slice(at, at + 3)).toEqual(["switch web", "old is running and answers v1", "new answers v2"]);
    expect(events.findIndex((line) => line.startsWith("log web: stopping"))).toBeGreaterThan(at);
    expect(events.filter((line) => line.startsWith("log "))).toEqual([
      "log web: starting 1 replica(s) of release 2",
      `log web: healthy on 127.0.0.1:${v2!.upstreams[0]!.port}`,
      "log web: draining old replica(s) for 0.3s",
      "log web: stopping 1 old replica(s)",
    ]);
    expect(await stateOf(docker, oldId)).toBe("gone");
    expect(await get(v2!.upstreams[0])).toBe("v2");
    expect(answers.filter((answer) => answer.startsWith("failed"))).toEqual([]);
    expect(answers).toContain("v1");
    expect(answers.at(-1)).toBe("v2");
    console.log(`replace of one replica took ${took} ms (drain ${FAST.drainMs} ms)`);
  }, 120_000);

  test.concurrent("new replicas that exit or never answer are removed; the old one keeps serving", async () => {
    const e = env();
    const [v1] = await runtime.apply({ project, environment: e, release: 1, blocks: [httpBlock("web", "v1")] }, recordingHooks().hooks);
    const exits = httpBlock("web", "v2", {
      // The pause orders the lines: the engine reads stdout and stderr on separate pipes.
      command: ["sh", "-c", "echo booting v2; sleep 0.1; echo 'fatal: DATABASE_URL is not set' >&2; exit 3"],
    });
    const wrongPort = httpBlock("web", "v3", {
      command: ["sh", "-c", "mkdir -p /www && echo listening on 9090 && exec httpd -f -p 9090 -h /www"],
    });
    // Without a health path the probe is a TCP connect; docker-proxy alone must not pass it.
    const wrongPortTcp = { ...wrongPort, healthPath: undefined, hash: "web-v4" };
    const impatient = createDockerRuntime(docker, { ...FAST, healthTimeoutMs: 2_000 });
    const expected = [
      /^health check failed for web: replica 0 exited with code 3; last log lines: booting v2 \| fatal: DATABASE_URL is not set$/,
      /^health check failed for web: replica 0 did not answer GET \/ on 127\.0\.0\.1:\d+ within 2s \(.+\); last log lines: listening on 9090$/,
      /^health check failed for web: replica 0 did not answer TCP port 8080 within 2s \(connection refused\); last log lines: listening on 9090$/,
    ];

    for (const [i, block] of [exits, wrongPort, wrongPortTcp].entries()) {
      const { hooks, switches, logs } = recordingHooks();
      const [outcome] = await impatient.apply({ project, environment: e, release: 2 + i, blocks: [block] }, hooks);
      expect(outcome).toMatchObject({ block: "web", ok: false, upstreams: v1!.upstreams, containers: v1!.containers });
      expect(outcome!.reason).toMatch(expected[i]!);
      expect(switches).toEqual([]);
      expect(logs.at(-1)).toBe("web: removing 1 new replica(s); the old ones keep serving");
      const listed = await docker.listContainers({ all: true, filters: { label: [`berth.project=${project}`, `berth.env=${e}`] } });
      expect(listed.map((c) => c.Id)).toEqual(v1!.containers);
      expect(await get(v1!.upstreams[0])).toBe("v1");
    }
    expect((await runtime.status(project, e))[0]).toMatchObject({ state: "running", release: 1, ready: 1 });
  }, 120_000);

  test.concurrent("if switchTraffic throws, both versions keep running and the next apply finishes the switch", async () => {
    const e = env();
    const [v1] = await runtime.apply({ project, environment: e, release: 1, blocks: [httpBlock("web", "v1")] }, recordingHooks().hooks);
    const plan = { project, environment: e, release: 2, blocks: [httpBlock("web", "v2")] };
    const error = await runtime.apply(plan, recordingHooks(() => Promise.reject(new Error("route table is locked"))).hooks).catch((e: unknown) => e);
    expect(String(error)).toBe("Error: route table is locked");
    expect(await stateOf(docker, v1!.containers[0]!)).toBe("running");
    expect((await runtime.status(project, e))[0]).toMatchObject({ state: "deploying", release: 2, ready: 1, upstreams: v1!.upstreams });

    const { hooks, logs, switches } = recordingHooks();
    const [v2] = await runtime.apply(plan, hooks);
    expect(logs[0]).toBe("web: finishing an interrupted replace with 1 running replica(s)");
    expect(switches).toEqual([{ block: "web", upstreams: v2!.upstreams }]);
    expect(await stateOf(docker, v1!.containers[0]!)).toBe("gone");
    expect(await get(v2!.upstreams[0])).toBe("v2");
    expect((await runtime.status(project, e))[0]).toMatchObject({ state: "running", release: 2 });
  }, 120_000);

  test.concurrent("an unreachable engine is one unavailable error line", async () => {
    const nowhere = createDockerRuntime(new Dockerode({ socketPath: "/nonexistent/docker.sock" }));
    const error = await expectBerthError(nowhere.apply({ project, environment: "x", release: 1, blocks: [] }, recordingHooks().hooks), "unavailable");
    expect(error.message).toStartWith(`container engine not reachable while inspecting network berth-${project}-x: `);
  });

  test.concurrent("a missing image fails the block with the engine's words and leaves nothing behind", async () => {
    const e = env();
    const [outcome] = await runtime.apply(
      { project, environment: e, release: 1, blocks: [httpBlock("web", "v1", { image: "berth-test/no-such-image:1" })] },
      recordingHooks().hooks,
    );
    expect(outcome).toMatchObject({ ok: false, upstreams: [], containers: [] });
    expect(outcome!.reason).toStartWith("could not start web: creating container berth-");
    expect(outcome!.reason).toContain("No such image: berth-test/no-such-image:1");
    expect(await runtime.status(project, e)).toEqual([]);
  }, 120_000);

  test.concurrent("workers are ready once they stay up; switchTraffic still marks the switch with no upstreams", async () => {
    const e = env();
    const worker = httpBlock("jobs", "w1", { kind: "worker", port: undefined, healthPath: undefined, command: ["sh", "-c", "while true; do sleep 1; done"] });
    const { hooks, switches, logs } = recordingHooks();
    const [ok] = await runtime.apply({ project, environment: e, release: 1, blocks: [worker] }, hooks);
    expect(ok).toMatchObject({ ok: true, upstreams: [] });
    expect(switches).toEqual([{ block: "jobs", upstreams: [] }]);
    expect(logs).toContain("jobs: replica 0 still running after 1s");

    const crashing = { ...worker, hash: "jobs-w2", command: ["sh", "-c", "sleep 0.3; echo cannot reach queue; exit 1"] };
    const [failed] = await runtime.apply({ project, environment: e, release: 2, blocks: [crashing] }, recordingHooks().hooks);
    expect(failed!.reason).toBe("health check failed for jobs: replica 0 exited with code 1; last log lines: cannot reach queue");
    expect(failed!.containers).toEqual(ok!.containers);
  }, 120_000);

  test.concurrent("status reports each block's state, counts, image, release and upstreams", async () => {
    const e = env();
    const [web] = await runtime.apply({ project, environment: e, release: 4, blocks: [httpBlock("web", "v1", { replicas: 2 })] }, recordingHooks().hooks);
    expect(await runtime.status(project, e)).toEqual([
      { block: "web", state: "running", ready: 2, wanted: 2, image: httpBlock("web", "v1").image, release: 4, upstreams: expect.arrayContaining(web!.upstreams), restarts: 0, lastLog: [] },
    ]);
    await docker.getContainer(web!.containers[0]!).stop({ t: 1 });
    expect((await runtime.status(project, e))[0]).toMatchObject({ state: "failed", ready: 1, wanted: 2 });
    await docker.getContainer(web!.containers[1]!).stop({ t: 1 });
    expect((await runtime.status(project, e))[0]).toMatchObject({ state: "stopped", ready: 0, wanted: 2, upstreams: [] });

    // The next apply brings the block back to its plan.
    const [again] = await runtime.apply({ project, environment: e, release: 5, blocks: [httpBlock("web", "v1", { replicas: 2 })] }, recordingHooks().hooks);
    expect(again).toMatchObject({ ok: true });
    expect((await runtime.status(project, e))[0]).toMatchObject({ state: "running", ready: 2, release: 5 });
  }, 120_000);
  test.concurrent("blocks of one tier start side by side within the bound; a later tier waits for the earlier one", async () => {
    const e = env();
    const tiered = createDockerRuntime(docker, { ...FAST, concurrency: 2 });
    const db = httpBlock("db", "d1", { kind: "service" });
    const sites = ["s1", "s2", "s3"].map((name) => httpBlock(name, "v1"));
    const { hooks, events } = recordingHooks();
    const outcomes = await tiered.apply({ project, environment: e, release: 1, blocks: [db, ...sites] }, hooks);

    expect(outcomes.map((o) => [o.block, o.ok])).toEqual([["db", true], ["s1", true], ["s2", true], ["s3", true]]);
    const at = (line: string) => events.indexOf(line);
    // A place is held from starting until healthy: switching and draining happen outside it.
    const firstSiteHealthy = Math.min(...sites.map((s) => events.findIndex((line) => line.startsWith(`log ${s.block}: healthy on `))));
    // The service's traffic switched before any website started.
    expect(at("switch db")).toBeGreaterThan(-1);
    for (const s of sites) expect(at(`log ${s.block}: starting 1 replica(s) of release 1`)).toBeGreaterThan(at("switch db"));
    // Two websites started before either turned healthy; the third waited for a free slot.
    expect(at("log s1: starting 1 replica(s) of release 1")).toBeLessThan(firstSiteHealthy);
    expect(at("log s2: starting 1 replica(s) of release 1")).toBeLessThan(firstSiteHealthy);
    expect(at("log s3: starting 1 replica(s) of release 1")).toBeGreaterThan(firstSiteHealthy);
    for (const o of outcomes.slice(1)) expect(await get(o.upstreams[0])).toBe("v1");
  }, 120_000);

  test.concurrent("a failed block of one tier leaves the later tiers as they were, with a reason naming it", async () => {
    const e = env();
    const tiered = createDockerRuntime(docker, { ...FAST, concurrency: 4 });
    const [, v1] = await tiered.apply({ project, environment: e, release: 1, blocks: [httpBlock("db", "d1", { kind: "service" }), httpBlock("site", "v1")] }, recordingHooks().hooks);
    const broken = httpBlock("db", "d2", { kind: "service", command: ["sh", "-c", "echo no disk; exit 2"] });
    const { hooks, logs } = recordingHooks();
    const outcomes = await tiered.apply({ project, environment: e, release: 2, blocks: [broken, httpBlock("site", "v2")] }, hooks);

    expect(outcomes[0]).toMatchObject({ block: "db", ok: false });
    expect(outcomes[0]!.reason).toStartWith("health check failed for db: replica 0 exited with code 2");
    expect(outcomes[1]).toEqual({ block: "site", ok: false, reason: "not rolled out: block db failed", upstreams: v1!.upstreams, containers: v1!.containers });
    expect(logs.filter((line) => line.startsWith("site:"))).toEqual([]);
    expect(await get(v1!.upstreams[0])).toBe("v1");
  }, 120_000);
});
