import { describe, expect, test } from "bun:test";
import { RunQueue } from "./run-queue.ts";

const gate = () => {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
};

describe("RunQueue", () => {
  test("runs at most `limit` items at once and starts the next as one ends, in order", async () => {
    const gates = [gate(), gate(), gate()];
    const started: number[] = [];
    const queue = new RunQueue<number>(2, async (i) => {
      started.push(i);
      await gates[i]!.opened;
    });
    for (const i of [0, 1, 2]) queue.push(i);
    expect(started).toEqual([0, 1]);
    expect(queue.size).toEqual({ waiting: 1, running: 2 });
    gates[1]!.open();
    await Bun.sleep(0);
    expect(started).toEqual([0, 1, 2]);
  });

  test("an item pushed with `now` starts at once past the limit, and queued items wait for it too", async () => {
    const g = gate();
    const started: string[] = [];
    const queue = new RunQueue<string>(1, async (name) => {
      started.push(name);
      if (name !== "queued") await g.opened;
    });
    queue.push("cron");
    const hook = queue.push("pre-deploy", true);
    queue.push("queued");
    expect(started).toEqual(["cron", "pre-deploy"]);
    expect(queue.remove((n) => n === "queued")).toBe(true);
    expect(queue.remove((n) => n === "queued")).toBe(false);
    g.open();
    await hook;
    expect(queue.size.running).toBe(0);
  });
});
