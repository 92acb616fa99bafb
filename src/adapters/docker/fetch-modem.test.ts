import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Dockerode from "dockerode";
import { loadTestEnv } from "../../../test/support/test-env.ts";
import { toBerthError } from "./engine-errors.ts";
import { overFetch } from "./fetch-modem.ts";

// The same engine calls Berth makes, answered through fetch, as dockerode's own transport answers them.
describe("engine client over fetch", () => {
  const docker = new Dockerode(overFetch());
  const label = `berth-fetch-modem-test=${crypto.randomUUID().slice(0, 8)}`;
  let id = "";

  beforeAll(async () => {
    const container = await docker.createContainer({
      Image: loadTestEnv().images.busybox,
      Cmd: ["sh", "-c", "echo one; echo two >&2; exec sleep 60"],
      Labels: { [label.split("=")[0]!]: label.split("=")[1]! },
    });
    id = container.id;
    await container.start();
  });
  afterAll(async () => {
    if (id) await docker.getContainer(id).remove({ force: true });
  });

  test("answers JSON, with the query and body it was given", async () => {
    const listed = await docker.listContainers({ all: true, filters: { label: [label] } });
    expect(listed.map((c) => c.Id)).toEqual([id]);
    const info = await docker.getContainer(id).inspect();
    expect(info.State.Running).toBe(true);
    await docker.getContainer(id).update({ RestartPolicy: { Name: "unless-stopped", MaximumRetryCount: 0 } });
    expect((await docker.getContainer(id).inspect()).HostConfig.RestartPolicy?.Name).toBe("unless-stopped");
  });

  test("a log read without follow is the raw multiplexed bytes; a follow is still a stream", async () => {
    const deadline = Date.now() + 10_000;
    let text = "";
    while (!text.includes("two") && Date.now() < deadline) {
      const logs = await docker.getContainer(id).logs({ stdout: true, stderr: true, follow: false });
      expect(Buffer.isBuffer(logs)).toBe(true);
      text = logs.toString();
      await Bun.sleep(100);
    }
    expect(text).toContain("one");
    expect(text).toContain("two");
    const stream = (await docker.getContainer(id).logs({ stdout: true, stderr: true, follow: true })) as unknown as NodeJS.ReadableStream & { destroy(): void };
    let followed = "";
    await new Promise<void>((resolve) => {
      stream.on("data", (chunk: Buffer) => {
        followed += chunk.toString();
        if (followed.includes("one") && followed.includes("two")) resolve();
      });
    });
    stream.destroy();
    expect(followed).toContain("one");
  });

  test("an engine error keeps its status and message", async () => {
    const error = (await docker.getContainer("berth-no-such-container").inspect().catch((e: unknown) => e)) as { statusCode?: number; json?: { message?: string } };
    expect(error.statusCode).toBe(404);
    expect(error.json?.message).toContain("No such container");
  });

  test("an engine that is not there is unavailable, as before", async () => {
    const nowhere = new Dockerode(overFetch({ socketPath: "/nonexistent/docker.sock" }));
    const error = await nowhere.listContainers().catch((e: unknown) => e);
    expect(toBerthError(error, "listing").code).toBe("unavailable");
  });
});
