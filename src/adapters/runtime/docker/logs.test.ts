import { describe, expect, test } from "bun:test";
import { demuxLogs, lastLines } from "./logs.ts";

const frame = (stream: 1 | 2, text: string) => {
  const body = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
};

describe("container logs", () => {
  test("frames of stdout and stderr are joined in order, split lines included", () => {
    const buffer = Buffer.concat([frame(1, "starting\nlisten"), frame(1, "ing on 8080\n"), frame(2, "fatal: boom\n")]);
    expect(demuxLogs(buffer)).toBe("starting\nlistening on 8080\nfatal: boom\n");
  });

  test("a truncated last frame keeps what arrived; an unframed (tty) buffer is plain text", () => {
    expect(demuxLogs(frame(1, "complete\n").subarray(0, 12))).toBe("comp");
    expect(demuxLogs(Buffer.from("plain tty output\n"))).toBe("plain tty output\n");
    expect(demuxLogs(Buffer.alloc(0))).toBe("");
  });

  test("the last lines skip blanks and carriage returns", () => {
    expect(lastLines("a\r\n\n b \nc\nd\ne\nf\n\n", 5)).toEqual(["b", "c", "d", "e", "f"]);
    expect(lastLines("", 5)).toEqual([]);
  });
});
