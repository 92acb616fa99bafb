// Status between engine events on the real engine: answered without engine calls while the event
// stream is followed, and a crash still shows at once; see runtime-cache.ts.
import { describe, expect, test } from "bun:test";
import Dockerode from "dockerode";
import { createDockerRuntime } from "./runtime.ts";
import { FAST, recordingHooks, useRuntimeTestKit } from "./runtime-test-kit.ts";

const { project, env, httpBlock } = useRuntimeTestKit();

/** An engine client that counts the requests it sends (an event stream counts once, when opened). */
function countingEngine() {
  const docker = new Dockerode();
  const modem = docker.modem as unknown as { dial: (options: unknown, callback: unknown) => unknown };
  const dial = modem.dial.bind(modem);
  const counter = { calls: 0 };
  modem.dial = (options, callback) => {
    counter.calls++;
    return dial(options, callback);
  };
  return { docker, counter };
}

describe("runtime cache (real engine)", () => {
  test("repeated status asks the engine nothing while its events are followed; a killed replica shows restarted at once", async () => {
    const e = env();
    const { docker, counter } = countingEngine();
    const runtime = createDockerRuntime(docker, FAST);
    const [outcome] = await runtime.apply({ project, environment: e, release: 1, blocks: [httpBlock("web", "v1", { replicas: 2 })] }, recordingHooks().hooks);
    const unwatch = runtime.watch(() => {}, () => {});
    try {
      await Bun.sleep(300);
      expect((await runtime.status(project, e))[0]).toMatchObject({ state: "running", ready: 2, restarts: 0 });
      const before = counter.calls;
      for (let i = 0; i < 5; i++) await runtime.status(project, e);
      expect(counter.calls).toBe(before);

      // A crash: the replica's first process dies and the engine restarts it (unless-stopped). The clock
      // starts once the engine reports the restart: its die and start events must drop what was kept.
      const direct = new Dockerode().getContainer(outcome!.containers[0]!);
      process.kill((await direct.inspect()).State.Pid, "SIGKILL");
      for (const until = Date.now() + 30_000; Date.now() < until; await Bun.sleep(50)) {
        const info = await direct.inspect();
        if (info.RestartCount >= 1 && info.State.Running) break;
      }
      const restartedAt = Date.now();
      let restarts = 0;
      while (restarts === 0 && Date.now() - restartedAt < 1_000) {
        restarts = (await runtime.status(project, e))[0]!.restarts;
        if (restarts === 0) await Bun.sleep(20);
      }
      expect(restarts).toBe(1);
    } finally {
      unwatch();
    }
    // Nobody follows the events any more: every status asks the engine again.
    const after = counter.calls;
    await runtime.status(project, e);
    expect(counter.calls).toBeGreaterThan(after);
  }, 120_000);
});
