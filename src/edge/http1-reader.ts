/**
 * A strict HTTP/1.1 response reader for the edge's upstream connections: status line, headers,
 * then the body framed by Content-Length, chunked encoding or the connection's close. It is
 * fed raw socket chunks and hands body bytes on as slices of them, never copied or buffered.
 * Anything ambiguous (two lengths, a length next to chunked, folded headers) is an error:
 * a proxy that guesses about framing is a proxy that can be made to desync.
 */

export type Framing = "none" | "length" | "chunked" | "close";

export interface ResponseHead {
  status: number;
  statusText: string;
  /** Lower-case names, hop-by-hop headers already dropped. */
  headers: [string, string][];
  framing: Framing;
  /** Whether the connection may carry another request once this body is done. */
  keepAlive: boolean;
  /** The declared Content-Length, -1 without one. */
  length: number;
}

export interface ResponseSink {
  head(head: ResponseHead): void;
  body(chunk: Uint8Array): void;
  /** The body is complete; `reusable`: the connection is at a message boundary and may be pooled. */
  done(reusable: boolean): void;
}

export class UpstreamProtocolError extends Error {
  readonly code = "EPROTO";
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) an upstream may send: they describe its connection, not the client's. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "trailer", "upgrade"]);
const MAX_HEAD = 64 * 1024;
const MAX_CHUNK_LINE = 4096;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const STATUS_LINE = /^HTTP\/1\.[01] [1-9]\d\d(?: [^\r\n]*)?$/;
const DIGITS = /^\d{1,15}$/;
const latin1 = new TextDecoder("latin1");
const CR = 13;
const LF = 10;

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  Close,
  Done,
}

/** Where `\r\n\r\n` ends in `bytes` (searching from `from`), or -1. */
function headEnd(bytes: Uint8Array, from: number): number {
  for (let i = Math.max(from, 3); i < bytes.length; i++) {
    if (bytes[i] === LF && bytes[i - 1] === CR && bytes[i - 2] === LF && bytes[i - 3] === CR) return i + 1;
  }
  return -1;
}

const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

// Hand-rolled rather than split + a regex per line: this runs once per proxied response.
function parseHead(text: string, noBody: boolean): ResponseHead | "informational" {
  let lineEnd = text.indexOf("\r\n");
  if (lineEnd === -1) lineEnd = text.length;
  const first = text.slice(0, lineEnd);
  if (!STATUS_LINE.test(first)) throw new UpstreamProtocolError(`bad status line ${JSON.stringify(first.slice(0, 80))}`);
  const http10 = first.charCodeAt(7) === 48;
  const status = Number(first.slice(9, 12));
  // 101 would switch protocols, which only the websocket relay asks for.
  if (status === 101) throw new UpstreamProtocolError("unexpected 101 Switching Protocols");
  if (status < 200) return "informational";
  const headers: [string, string][] = [];
  let length = -1;
  let chunked = false;
  let transferEncoding = false;
  let connection = "";
  for (let at = lineEnd + 2; at < text.length; ) {
    let end = text.indexOf("\r\n", at);
    if (end === -1) end = text.length;
    const colon = text.indexOf(":", at);
    const name = colon > at && colon < end ? text.slice(at, colon) : "";
    if (!TOKEN.test(name)) throw new UpstreamProtocolError(`bad header line ${JSON.stringify(text.slice(at, Math.min(end, at + 80)))}`);
    const value = text.slice(colon + 1, end).trim();
    // Control characters other than tab (CR, LF, NUL…) are refused: a Response cannot carry them.
    if (CONTROL.test(value)) throw new UpstreamProtocolError(`bad header value for ${name}`);
    at = end + 2;
    const lower = name.toLowerCase();
    if (lower === "content-length") {
      if (!DIGITS.test(value) || (length !== -1 && length !== Number(value))) throw new UpstreamProtocolError(`bad Content-Length ${JSON.stringify(value)}`);
      length = Number(value);
    } else if (lower === "transfer-encoding") {
      transferEncoding = true;
      chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
      continue;
    } else if (lower === "connection") {
      connection += `,${value.toLowerCase()}`;
      continue;
    } else if (HOP_BY_HOP.has(lower)) continue;
    headers.push([lower, value]);
  }
  if (transferEncoding && length !== -1) throw new UpstreamProtocolError("both Content-Length and Transfer-Encoding");
  let keepAlive = connection === "" ? !http10 : http10 ? /(?:^|,)\s*keep-alive\s*(?:,|$)/.test(connection) : !/(?:^|,)\s*close\s*(?:,|$)/.test(connection);
  let framing: Framing;
  if (noBody || status === 204 || status === 304) framing = "none";
  else if (chunked) framing = "chunked";
  else if (transferEncoding) framing = "close";
  else if (length !== -1) framing = length === 0 ? "none" : "length";
  else framing = "close";
  if (framing === "close") keepAlive = false;
  // The declared length stays for the client; the reader counts the bytes against it.
  return { status, statusText: first.length > 13 ? first.slice(13) : "", headers, framing, keepAlive, length };
}

/**
 * One response on one connection. `noBody`: the request was HEAD, whose response carries
 * headers only. Feed it chunks with `feed`, and `eof()` when the upstream closed.
 */
export function createResponseReader(sink: ResponseSink, noBody: boolean) {
  let state = State.Head;
  let pending: Uint8Array | null = null;
  let remaining = 0;
  let keepAlive = false;
  let line = "";

  const finish = (reusable: boolean) => {
    state = State.Done;
    sink.done(reusable && keepAlive);
  };

  function readHead(chunk: Uint8Array): number {
    const from = pending ? pending.length : 0;
    const bytes = pending ? Buffer.concat([pending, chunk]) : chunk;
    const end = headEnd(bytes, from - 3);
    if (end === -1) {
      if (bytes.length > MAX_HEAD) throw new UpstreamProtocolError(`response head over ${MAX_HEAD} bytes`);
      pending = bytes === chunk ? chunk.slice() : bytes;
      return chunk.length;
    }
    pending = null;
    const head = parseHead(latin1.decode(bytes.subarray(0, end - 4)), noBody);
    const used = end - from;
    if (head === "informational") return used;
    keepAlive = head.keepAlive;
    sink.head(head);
    if (head.framing === "none") finish(true);
    else if (head.framing === "length") (state = State.Length), (remaining = head.length);
    else if (head.framing === "chunked") (state = State.ChunkSize), (line = "");
    else state = State.Close;
    return used;
  }

  /** Reads a CRLF-terminated line into `line`; returns bytes used, or -1 when the line is not complete yet. */
  function readLine(chunk: Uint8Array, at: number): number {
    const lf = chunk.indexOf(LF, at);
    const end = lf === -1 ? chunk.length : lf + 1;
    line += Buffer.from(chunk.buffer, chunk.byteOffset + at, end - at).toString("latin1");
    if (line.length > MAX_CHUNK_LINE) throw new UpstreamProtocolError("chunk line too long");
    return lf === -1 ? -(end - at) - 1 : end - at;
  }

  function feed(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      switch (state) {
        case State.Head:
          at += readHead(at === 0 ? chunk : chunk.subarray(at));
          break;
        case State.Length: {
          const take = Math.min(remaining, chunk.length - at);
          sink.body(at === 0 && take === chunk.length ? chunk : chunk.subarray(at, at + take));
          at += take;
          remaining -= take;
          if (remaining === 0) finish(true);
          break;
        }
        case State.ChunkSize: {
          const used = readLine(chunk, at);
          if (used < 0) return;
          at += used;
          if (!line.endsWith("\r\n")) throw new UpstreamProtocolError("chunk size line without CRLF");
          const size = line.slice(0, -2).split(";")[0]!.trim();
          if (!/^[0-9a-fA-F]{1,12}$/.test(size)) throw new UpstreamProtocolError(`bad chunk size ${JSON.stringify(size.slice(0, 20))}`);
          remaining = parseInt(size, 16);
          line = "";
          state = remaining === 0 ? State.Trailers : State.ChunkData;
          break;
        }
        case State.ChunkData: {
          const take = Math.min(remaining, chunk.length - at);
          sink.body(chunk.subarray(at, at + take));
          at += take;
          remaining -= take;
          if (remaining === 0) (state = State.ChunkDataEnd), (line = "");
          break;
        }
        case State.ChunkDataEnd: {
          const used = readLine(chunk, at);
          if (used < 0) return;
          at += used;
          if (line !== "\r\n") throw new UpstreamProtocolError("chunk data not followed by CRLF");
          state = State.ChunkSize;
          line = "";
          break;
        }
        case State.Trailers: {
          // Trailers are dropped (as nginx does); the empty line ends the message.
          const used = readLine(chunk, at);
          if (used < 0) return;
          at += used;
          if (line === "\r\n") finish(true);
          line = "";
          break;
        }
        case State.Close:
          sink.body(at === 0 ? chunk : chunk.subarray(at));
          at = chunk.length;
          break;
        case State.Done:
          // Bytes after a complete response that nobody asked for: the connection is not trustworthy.
          throw new UpstreamProtocolError("data after the end of the response");
      }
    }
  }

  return {
    feed,
    /** The upstream closed its side; true when that ended the response properly. */
    eof(): boolean {
      if (state === State.Close) {
        finish(false);
        return true;
      }
      return state === State.Done;
    },
    /** Whether any byte of the response has been seen: before that, a failure may be retried. */
    get started() {
      return state !== State.Head || pending !== null;
    },
  };
}
