import { expect, test } from "bun:test";
import type { RawLine } from "../../../ports/container-logs.ts";
import { frameReader } from "./log-source.ts";

const frame = (stream: 1 | 2, text: string) => {
  const body = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
};

test("frames split across chunks come out as whole, timestamped lines per stream", () => {
  const got: RawLine[] = [];
  const read = frameReader((lines) => got.push(...lines));
  const bytes = Buffer.concat([frame(1, "2026-12-02T05:24:36.1Z hello\n"), frame(2, "2026-12-02T05:24:36.2Z oops\r\n"), frame(1, "2026-12-02T05:24:37Z \n")]);
  read(bytes.subarray(0, 5));
  read(bytes.subarray(5, 40));
  read(bytes.subarray(40));
  expect(got).toEqual([
    { time: "2026-12-02T05:24:36.100000000Z", stream: "stdout", text: "hello" },
    { time: "2026-12-02T05:24:36.200000000Z", stream: "stderr", text: "oops" },
    { time: "2026-12-02T05:24:37.000000000Z", stream: "stdout", text: "" },
  ]);
});
