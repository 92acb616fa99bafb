import { expect, test } from "bun:test";
import type { LogLine } from "../../ports/container-logs.ts";
import type { VerbContext } from "../verb.ts";
import { lineWriter } from "./logs.ts";

const line = (replica: number, release: number, container: string, text: string): LogLine => ({ time: "2026-12-02T10:00:01.000000000Z", project: "shop", environment: "dev", block: "web", replica, release, container, stream: "stdout", text });

test("a line names its replica once two show; during a deploy, when the old release's web/0 and the new one's both write, each names its release", () => {
  const out: string[] = [];
  const ctx = { values: {}, out: (l: string) => void out.push(l), paint: (text: string) => text } as unknown as Pick<VerbContext, "values" | "out" | "paint">;
  const write = lineWriter(ctx, true);
  write(line(0, 11, "aaaaaaaaaaaa", "one"));
  write(line(1, 11, "bbbbbbbbbbbb", "two"));
  write(line(0, 12, "cccccccccccc", "three"));
  write(line(0, 11, "aaaaaaaaaaaa", "four"));
  expect(out).toEqual([
    "2026-12-02T10:00:01.000Z one",
    "2026-12-02T10:00:01.000Z web/1 two",
    "2026-12-02T10:00:01.000Z web/0#12 three",
    "2026-12-02T10:00:01.000Z web/0#11 four",
  ]);
});
