import { expect, test } from "bun:test";
import type { LogLine } from "../api.ts";
import { logRows } from "./logs.tsx";

const line = (time: string, replica: number, release: number, text: string, block = "web"): LogLine => ({ time: `2026-12-02T10:00:${time}.000000000Z`, block, replica, release, stream: "stdout", text });

test("a replica is named web/0; while the old release's web/0 drains beside the new one, each line names its release", () => {
  const one = [line("01", 0, 11, "tick 1"), line("02", 0, 11, "tick 2"), line("02", 0, 11, "done", "worker")];
  expect(logRows(one, undefined, false, 80, 10, false)).toEqual(["10:00:01 web/0 tick 1", "10:00:02 web/0 tick 2", "10:00:02 worker/0 done"]);
  const both = [...one, line("03", 0, 12, "tick 1"), line("03", 0, 11, "tick 3")];
  expect(logRows(both, undefined, false, 80, 10, false)).toEqual([
    "10:00:01 web/0#11 tick 1",
    "10:00:02 web/0#11 tick 2",
    "10:00:02 worker/0 done",
    "10:00:03 web/0#12 tick 1",
    "10:00:03 web/0#11 tick 3",
  ]);
});
