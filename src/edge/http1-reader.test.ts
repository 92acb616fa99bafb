import { describe, expect, test } from "bun:test";
import { createResponseReader, type ResponseHead } from "./http1-reader.ts";

/** Feeds `wire` in pieces of `step` bytes (every boundary gets crossed) and records what the sink saw. */
function read(wire: string, options: { step?: number; head?: boolean; eof?: boolean } = {}) {
  const got = { head: null as ResponseHead | null, body: "", done: null as boolean | null, error: null as string | null, eofEnded: null as boolean | null };
  const reader = createResponseReader(
    {
      head: (head) => void (got.head = head),
      body: (chunk) => void (got.body += Buffer.from(chunk).toString("latin1")),
      done: (reusable) => void (got.done = reusable),
    },
    options.head ?? false,
  );
  const bytes = Buffer.from(wire, "latin1");
  const step = options.step ?? bytes.length;
  try {
    for (let at = 0; at < bytes.length; at += step) reader.feed(new Uint8Array(bytes.subarray(at, at + step)));
    if (options.eof) got.eofEnded = reader.eof();
  } catch (error) {
    got.error = (error as Error).message;
  }
  return got;
}

describe("HTTP/1.1 response reader", () => {
  for (const step of [1, 3, 7, 1000]) {
    test(`Content-Length, chunked with extensions and trailers, in pieces of ${step} bytes`, () => {
      const fixed = read("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello", { step });
      expect([fixed.head?.status, fixed.head?.headers, fixed.body, fixed.done]).toEqual([200, [["content-length", "5"], ["x-a", "1"]], "hello", true]);
      const chunked = read("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n", { step });
      expect([chunked.head?.status, chunked.head?.framing, chunked.head?.headers, chunked.body, chunked.done]).toEqual([201, "chunked", [], "hello world", true]);
    });
  }

  test("close-delimited bodies end at EOF and never make the connection reusable", () => {
    const got = read("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", { step: 4, eof: true });
    expect([got.head?.framing, got.body, got.done, got.eofEnded]).toEqual(["close", "until the end", false, true]);
    const http10 = read("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
    expect([http10.body, http10.done]).toEqual(["ok", false]);
  });

  test("HEAD, 204 and 304 have no body; 1xx responses are skipped; Connection: close is honoured", () => {
    const head = read("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", { head: true });
    expect([head.head?.headers, head.done]).toEqual([[["content-length", "1000"]], true]);
    expect(read("HTTP/1.1 204 No Content\r\n\r\n").done).toBe(true);
    expect(read("HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n").done).toBe(true);
    const informational = read("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", { step: 5 });
    expect([informational.head?.status, informational.body]).toEqual([200, "ok"]);
    expect(read("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok").done).toBe(false);
  });

  test("a body cut short is not a finished response", () => {
    const got = read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf", { eof: true });
    expect([got.body, got.done, got.eofEnded]).toEqual(["half", null, false]);
    const chunked = read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", { eof: true });
    expect([chunked.done, chunked.eofEnded]).toEqual([null, false]);
  });

  test("ambiguous or malformed framing is refused", () => {
    expect(read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\nok").error).toBe("both Content-Length and Transfer-Encoding");
    expect(read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok").error).toStartWith("bad Content-Length");
    expect(read("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n").error).toStartWith("bad Content-Length");
    expect(read("HTTP/1.1 200 OK\r\n folded: x\r\n\r\n").error).toStartWith("bad header line");
    expect(read("HTTP/2 200\r\n\r\n").error).toStartWith("bad status line");
    expect(read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").error).toStartWith("bad chunk size");
    expect(read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA").error).toBe("data after the end of the response");
    expect(read(`HTTP/1.1 200 OK\r\nX: ${"a".repeat(70_000)}`).error).toStartWith("response head over");
  });
});
