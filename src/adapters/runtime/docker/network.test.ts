// Networking between blocks, pruning, and objects Berth does not own, on the real engine.
import { describe, expect, test } from "bun:test";
import { expectBerthError } from "../../../../test/support/errors.ts";
import { get, recordingHooks, sh, stateOf, useRuntimeTestKit } from "./runtime-test-kit.ts";

const { docker, project, runtime, busybox, env, httpBlock, foreignObject } = useRuntimeTestKit();

describe("docker runtime networking and ownership (real engine)", () => {
  test.concurrent("blocks of an environment reach each other by block name", async () => {
    const e = env();
    const outcomes = await runtime.apply(
      { project, environment: e, release: 1, blocks: [httpBlock("api", "from-api"), httpBlock("web", "from-web", { replicas: 2 })] },
      recordingHooks().hooks,
    );
    const [api, web] = outcomes;
    const fetchFrom = (id: string, url: string) => sh(["docker", "exec", id, "timeout", "5", "wget", "-qO-", url]);
    expect(fetchFrom(web!.containers[0]!, "http://api:8080/")).toEqual({ code: 0, out: "from-api" });
    expect(fetchFrom(api!.containers[0]!, "http://web:8080/")).toEqual({ code: 0, out: "from-web" });
  }, 120_000);

  test.concurrent("a block dropped from the plan has its traffic switched off, then is stopped and removed", async () => {
    const e = env();
    const [, old] = await runtime.apply(
      { project, environment: e, release: 1, blocks: [httpBlock("web", "v1"), httpBlock("old", "v1", { replicas: 2 })] },
      recordingHooks().hooks,
    );
    const { hooks, events, switches } = recordingHooks(async () => {
      events.push(`old answers ${await get(old!.upstreams[0])}`);
    });
    const outcomes = await runtime.apply({ project, environment: e, release: 2, blocks: [httpBlock("web", "v1")] }, hooks);

    expect(outcomes.map((o) => o.block)).toEqual(["web"]);
    expect(switches).toEqual([{ block: "old", upstreams: [] }]);
    expect(events).toEqual([
      "log old: not in the plan any more, switching its traffic off",
      "switch old",
      "old answers v1",
      "log old: draining for 0.3s",
      "log old: stopping 2 old replica(s)",
    ]);
    for (const id of old!.containers) expect(await stateOf(docker, id)).toBe("gone");
    expect((await runtime.status(project, e)).map((s) => s.block)).toEqual(["web"]);
  }, 120_000);

  test.concurrent("containers, volumes and networks without berth.managed survive every apply and remove", async () => {
    const e = env();
    const tag = crypto.randomUUID().slice(0, 6);
    const lookalike = ["--label", `berth.project=${project}`, "--label", `berth.env=${e}`, "--label", "berth.block=web"];
    const rm = (id: string) => ["docker", "rm", "-f", id];
    const containerA = foreignObject(["docker", "run", "-d", ...lookalike, busybox, "sleep", "3600"], rm);
    const containerB = foreignObject(["docker", "run", "-d", busybox, "sleep", "3600"], rm);
    const ghost = foreignObject(["docker", "run", "-d", ...lookalike.slice(0, 4), "--label", "berth.block=ghost", busybox, "sleep", "3600"], rm);
    const volumes = [`berth-${project}-${e}-web-data`, `foreign-${tag}`];
    foreignObject(["docker", "volume", "create", ...lookalike, volumes[0]!], (id) => ["docker", "volume", "rm", "-f", id]);
    foreignObject(["docker", "volume", "create", volumes[1]!], (id) => ["docker", "volume", "rm", "-f", id]);
    const networks = [`berth-${project}-${e}-other`, `foreign-${tag}`];
    foreignObject(["docker", "network", "create", ...lookalike, networks[0]!], (id) => ["docker", "network", "rm", id]);
    foreignObject(["docker", "network", "create", networks[1]!], (id) => ["docker", "network", "rm", id]);

    const survivors = () => {
      const alive = [containerA, containerB, ghost].map((id) => sh(["docker", "inspect", "-f", "{{.State.Running}}", id]).out);
      const vols = volumes.map((name) => sh(["docker", "volume", "inspect", name]).code);
      const nets = networks.map((name) => sh(["docker", "network", "inspect", name]).code);
      return { alive, vols, nets };
    };
    const allThere = { alive: ["true", "true", "true"], vols: [0, 0], nets: [0, 0] };

    const hooks = recordingHooks();
    await runtime.apply({ project, environment: e, release: 1, blocks: [httpBlock("web", "v1")] }, hooks.hooks);
    await runtime.apply({ project, environment: e, release: 2, blocks: [httpBlock("web", "v2")] }, hooks.hooks);
    await runtime.apply({ project, environment: e, release: 3, blocks: [] }, hooks.hooks);
    // The look-alike "ghost" block is not Berth's: it is neither switched off nor removed.
    expect(hooks.switches.map((s) => s.block)).toEqual(["web", "web", "web"]);
    expect(survivors()).toEqual(allThere);
    expect(await runtime.status(project, e)).toEqual([]);

    await runtime.remove(project, e, { purgeVolumes: true });
    expect(survivors()).toEqual(allThere);
    expect(sh(["docker", "network", "inspect", `berth-${project}-${e}`]).code).not.toBe(0);
  }, 120_000);

  test.concurrent("remove refuses to take down a network that a foreign container still uses, and leaves that container be", async () => {
    const e = env();
    await runtime.apply({ project, environment: e, release: 1, blocks: [httpBlock("web", "v1")] }, recordingHooks().hooks);
    const name = `berth-${project}-${e}`;
    const stranger = foreignObject(["docker", "run", "-d", "--network", name, busybox, "sleep", "3600"], (id) => ["docker", "rm", "-f", id]);
    const error = await expectBerthError(runtime.remove(project, e, { purgeVolumes: true }), "conflict");
    expect(error.message).toMatch(new RegExp(`^network ${name} is still used by containers Berth does not manage: \\S+$`));
    expect(sh(["docker", "inspect", "-f", "{{.State.Running}}", stranger]).out).toBe("true");
    expect(await runtime.status(project, e)).toEqual([]);
    sh(["docker", "rm", "-f", stranger]);
  }, 120_000);

  test.concurrent("a network of the environment's name that Berth does not own is refused, not joined", async () => {
    const e = env();
    const name = `berth-${project}-${e}`;
    foreignObject(["docker", "network", "create", "--label", `berth.project=${project}`, name], (id) => ["docker", "network", "rm", id]);
    const error = await expectBerthError(runtime.apply({ project, environment: e, release: 1, blocks: [httpBlock("web", "v1")] }, recordingHooks().hooks), "conflict");
    expect(error.message).toBe(`network ${name} exists but is not managed by Berth for ${project}/${e}; rename or remove it`);
    await runtime.remove(project, e, { purgeVolumes: true });
    expect(sh(["docker", "network", "inspect", name]).code).toBe(0);
  }, 120_000);
});
