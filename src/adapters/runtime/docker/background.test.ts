import { describe, expect, test } from "bun:test";
import { background } from "./background.ts";

describe("background work", () => {
  test("settle waits for every task, also one added meanwhile", async () => {
    const tasks = background();
    const done: string[] = [];
    tasks.run(async () => {
      await Bun.sleep(5);
      done.push("a");
      tasks.run(async () => {
        await Bun.sleep(5);
        done.push("b");
      });
    });
    await tasks.settle();
    expect(done).toEqual(["a", "b"]);
  });

  test("the first error comes out of settle, after the others finished", async () => {
    const tasks = background();
    let finished = false;
    tasks.run(async () => {
      throw new Error("stop failed");
    });
    tasks.run(async () => {
      await Bun.sleep(5);
      finished = true;
    });
    await Bun.sleep(1);
    expect(tasks.settle()).rejects.toThrow("stop failed");
    await Bun.sleep(10);
    expect(finished).toBe(true);
  });
});
