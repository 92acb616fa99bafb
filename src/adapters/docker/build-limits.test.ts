// test-lane: sequential (3 s build timeouts and engine response bounds: keep it off a busy machine's other lanes)
// Memory cap, timeout and cancel on the real Docker engine; see build-test-kit.ts.
import { describe, expect, test } from "bun:test";
import { containersWith, failure, MiB, useBuildTestKit } from "./build-test-kit.ts";

const { env, docker, builder, run, context, request } = useBuildTestKit();

/** A build whose second step prints `token` and then sleeps for five minutes. */
const sleeper = (token: string) => context({ Dockerfile: `FROM ${env.images.busybox}\nRUN echo ${token} && sleep 300\n` });

async function engineAnswersQuickly(): Promise<number> {
  const started = performance.now();
  await docker.ping();
  return performance.now() - started;
}

describe("build limits (real engine)", () => {
  test("the build's containers get the memory cap, no swap on top, and the CPU quota", async () => {
    // cgroup v1 files first, v2 second: the engine here runs v1, others may not.
    const read = (v1: string, v2: string) => `$(cat /sys/fs/cgroup/${v1} 2>/dev/null || cat /sys/fs/cgroup/${v2})`;
    const probe = [
      `echo limits-${run}`,
      `echo "cpu=${read("cpu/cpu.cfs_quota_us", "cpu.max")}"`,
      `echo "mem=${read("memory/memory.limit_in_bytes", "memory.max")}"`,
      `echo "swap=${read("memory/memory.memsw.limit_in_bytes", "memory.swap.max")}"`,
    ].join(" && ");
    const dir = context({ Dockerfile: `FROM ${env.images.busybox}\nRUN ${probe}\n` });
    const { req, log } = request(dir, { limits: { memoryBytes: 384 * MiB, cpus: 1.5, timeoutMs: 60_000 } });
    await builder.build(req);
    expect(log.find((line) => line.startsWith("cpu="))).toStartWith("cpu=150000");
    expect(log).toContain(`mem=${384 * MiB}`);
    // v1 counts memory+swap together (equal = no swap); v2 counts swap alone.
    expect(["swap=0", `swap=${384 * MiB}`]).toContain(log.find((line) => line.startsWith("swap="))!);
  });

  test("a build that allocates ~2 GB under a 256 MiB cap is stopped as out of memory", async () => {
    // busybox tail keeps a whole line in memory, and /dev/zero has no newline.
    const dir = context({ Dockerfile: `FROM ${env.images.busybox}\nRUN echo oom-${run} && head -c 2000m /dev/zero | tail\n` });
    const { req, log } = request(dir, { limits: { memoryBytes: 256 * MiB, cpus: 1, timeoutMs: 120_000 } });
    const started = Date.now();
    const error = await failure(builder.build(req));
    if (process.env.BERTH_TEST_VERBOSE) console.log(log.slice(-3));
    expect(error.message).toBe("out of memory: the build used more than 256 MiB");
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(await engineAnswersQuickly()).toBeLessThan(2000);
    expect(containersWith(`oom-${run}`)).toEqual([]);
  });

  test("a timeout stops the build within seconds and leaves no build container", async () => {
    const token = `timeout-${run}`;
    const { req, log } = request(sleeper(token), { limits: { memoryBytes: 256 * MiB, cpus: 1, timeoutMs: 3000 } });
    const started = Date.now();
    const error = await failure(builder.build(req));
    expect(error.message).toBe("build timed out after 3s");
    expect(log).toContain(token);
    expect(Date.now() - started).toBeLessThan(3000 + 5000);
    expect(containersWith(token)).toEqual([]);
    expect(await builder.findImage(req.tag)).toBeNull();
  });

  test("cancelling stops a running build within seconds and leaves no build container", async () => {
    const token = `cancel-${run}`;
    const stop = new AbortController();
    let cancelledAt = 0;
    const { req } = request(sleeper(token), {
      signal: stop.signal,
      // Cancel once the step is really running inside its container.
      onLog: (line) => {
        if (line !== token) return;
        cancelledAt = Date.now();
        stop.abort();
      },
    });
    const error = await failure(builder.build(req));
    expect(error.message).toBe("build cancelled");
    expect(cancelledAt).toBeGreaterThan(0);
    expect(Date.now() - cancelledAt).toBeLessThan(5000);
    expect(containersWith(token)).toEqual([]);
  });

  test("a build cancelled before it starts never reaches the engine", async () => {
    const token = `precancel-${run}`;
    const stop = new AbortController();
    stop.abort();
    const { req, log } = request(sleeper(token), { signal: stop.signal });
    expect((await failure(builder.build(req))).message).toBe("build cancelled");
    expect(log).toEqual([]);
  });
});
