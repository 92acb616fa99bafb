import type { Socket } from "bun";
import { createResponseReader, type ResponseHead } from "./http1-reader.ts";

/**
 * The edge's HTTP/1.1 client for upstreams: keep-alive connections (Bun.connect) pooled per
 * upstream, requests written as raw bytes, responses read by the strict reader in
 * http1-reader.ts. Bodies stream both ways with backpressure: an upload is read from the client
 * only as fast as the upstream takes it, and a download pauses the upstream socket while the
 * client's side of the stream is full. It costs about what `fetch` costs per request (see
 * docs/benchmarks.md); it is here for what `fetch` does not do for a proxy: refuse ambiguous
 * framing at once, answer `Expect: 100-continue` at the edge, and retry a stale pooled
 * connection safely.
 */

/**
 * Request headers the pool writes itself, or that belong to the client's connection only. Expect
 * too: the edge answers `Expect: 100-continue` itself (Bun does, as the body is read), so the
 * upstream gets the body straight away.
 */
const FRAMING = new Set(["transfer-encoding", "connection", "keep-alive", "proxy-connection", "te", "trailer", "expect"]);

/** A failure talking to an upstream; `code` names it for the 502 page and the retry decision. */
export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly code: string,
    /** Nothing of a response arrived and no request body was consumed: resending cannot do harm twice. */
    readonly beforeResponse: boolean,
  ) {
    super(message);
  }
}

export class BodyTooLarge extends Error {}

/** The one request a connection carries at a time. */
interface Exchange {
  data(chunk: Uint8Array): void;
  /** The upstream ended its side (FIN) or the socket closed. */
  closed(error?: Error): void;
  abort(reason: Error): void;
}

interface Connection {
  socket: Socket<Connection> | null;
  exchange: Exchange | null;
  idleSince: number;
  /** The rest of a write the kernel did not take yet, and who waits for it. */
  unsent: Uint8Array | null;
  drained: (() => void) | null;
  dead: boolean;
}

export interface UpstreamAddress {
  host: string;
  port: number;
}

// Under common upstream keep-alive timeouts (gunicorn 2 s, Node 5 s): a connection the upstream
// is about to drop is not picked. A stale one picked anyway is retried for idempotent requests.
const IDLE_MS = 1500;
const MAX_IDLE_PER_UPSTREAM = 1024;
const RESPONSE_HIGH_WATER = 256 * 1024;
const CRLF = Buffer.from("\r\n");
const NOT_ASCII = /[^\x00-\x7f]/;
const LAST_CHUNK = Buffer.from("0\r\n\r\n");
const SAFE = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);

function kill(connection: Connection) {
  connection.dead = true;
  connection.exchange = null;
  connection.socket?.terminate();
}

const handlers = {
  binaryType: "uint8array" as const,
  open(socket: Socket<Connection>) {
    socket.setNoDelay(true);
  },
  data(socket: Socket<Connection>, chunk: Uint8Array) {
    const connection = socket.data;
    // Bytes on an idle connection answer nothing we asked: the connection is not trustworthy.
    if (!connection.exchange) return kill(connection);
    connection.exchange.data(chunk);
  },
  drain(socket: Socket<Connection>) {
    const connection = socket.data;
    const unsent = connection.unsent;
    if (!unsent) return;
    const wrote = socket.write(unsent);
    if (wrote < 0) return;
    if (wrote < unsent.length) return void (connection.unsent = unsent.subarray(wrote));
    connection.unsent = null;
    const waiting = connection.drained;
    connection.drained = null;
    waiting?.();
  },
  end(socket: Socket<Connection>) {
    const connection = socket.data;
    connection.dead = true;
    connection.exchange?.closed();
    if (!socket.data.exchange) socket.end();
  },
  close(socket: Socket<Connection>, error?: Error) {
    const connection = socket.data;
    connection.dead = true;
    connection.exchange?.closed(error);
    connection.exchange = null;
    const waiting = connection.drained;
    connection.drained = null;
    waiting?.();
  },
  error(socket: Socket<Connection>, error: Error) {
    socket.data.exchange?.closed(error);
  },
};

/** Writes all of `bytes`, waiting for the socket to drain when the kernel's buffer is full. */
function send(connection: Connection, data: Uint8Array | string): Promise<void> | undefined {
  if (connection.dead || !connection.socket) throw new UpstreamError("upstream closed the connection", "ECONNRESET", false);
  const wrote = connection.socket.write(data);
  // Strings reach here only when ASCII, so their length is their byte count.
  if (wrote === data.length) return;
  const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : data;
  if (wrote < 0) throw new UpstreamError("upstream closed the connection", "ECONNRESET", false);
  connection.unsent = bytes.subarray(wrote);
  return new Promise<void>((resolve, reject) => {
    connection.drained = () => (connection.dead && connection.unsent ? reject(new UpstreamError("upstream closed the connection", "ECONNRESET", false)) : resolve());
  });
}

/** Streams a request body to the upstream; without a declared length it goes chunked and is counted against `max`. */
async function pump(connection: Connection, body: ReadableStream<Uint8Array>, chunked: boolean, max: number): Promise<void> {
  const reader = body.getReader();
  let seen = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.byteLength === 0) continue;
      if (chunked) {
        seen += value.byteLength;
        if (seen > max) throw new BodyTooLarge();
        await send(connection, Buffer.from(`${value.byteLength.toString(16)}\r\n`, "latin1"));
        await send(connection, value);
        await send(connection, CRLF);
      } else await send(connection, value);
    }
    if (chunked) await send(connection, LAST_CHUNK);
  } catch (error) {
    reader.cancel(error).catch(() => {});
    throw error;
  }
}

export interface UpstreamRequest {
  method: string;
  /** Path and query as sent upstream. */
  target: string;
  /** Sent as they are (the caller has removed hop-by-hop headers). */
  headers: Headers;
  body: ReadableStream<Uint8Array> | null;
  /** The limit for a body without Content-Length, counted as it streams. */
  maxBodyBytes: number;
  /** Called once the whole body has gone upstream (not for a request without one). */
  bodySent?: () => void;
}

export interface PendingResponse {
  response: Promise<Response>;
  /** The response's declared Content-Length once its head is read, -1 without one: reading it off the Response would cost a Headers object. */
  length: number;
  /** Gives up waiting for the response head (a timeout): the connection is closed, `response` rejects with `reason`. */
  abort(reason: Error): void;
}

export type UpstreamPools = ReturnType<typeof createUpstreamPools>;

export function createUpstreamPools() {
  const idle = new Map<string, Connection[]>();
  // Idle sockets to replicas that are gone (each deploy brings new ports) are closed and their
  // keys dropped, rather than waiting for an upstream that will never close them.
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const [key, list] of idle) {
      const kept: Connection[] = [];
      for (const connection of list) {
        if (connection.dead) continue;
        if (now - connection.idleSince < IDLE_MS) kept.push(connection);
        else kill(connection);
      }
      if (kept.length === 0) idle.delete(key);
      else idle.set(key, kept);
    }
  }, IDLE_MS);
  sweep.unref();

  function take(key: string): Connection | null {
    const list = idle.get(key);
    if (!list) return null;
    const now = performance.now();
    for (let connection = list.pop(); connection; connection = list.pop()) {
      if (!connection.dead && now - connection.idleSince < IDLE_MS) return connection;
      if (!connection.dead) kill(connection);
    }
    return null;
  }

  function release(key: string, connection: Connection) {
    connection.exchange = null;
    if (connection.dead) return;
    let list = idle.get(key);
    if (!list) idle.set(key, (list = []));
    if (list.length >= MAX_IDLE_PER_UPSTREAM) return kill(connection);
    connection.idleSince = performance.now();
    list.push(connection);
  }

  async function connect(upstream: UpstreamAddress): Promise<Connection> {
    const connection: Connection = { socket: null, exchange: null, idleSince: 0, unsent: null, drained: null, dead: false };
    try {
      connection.socket = await Bun.connect<Connection>({ hostname: upstream.host, port: upstream.port, data: connection, socket: handlers });
    } catch (error) {
      const code = (error as { code?: string }).code ?? "ECONNREFUSED";
      throw new UpstreamError(`cannot connect to ${upstream.host}:${upstream.port}: ${(error as Error).message}`, code, true);
    }
    return connection;
  }

  /** Sends one request on a pooled (or new) connection; the response resolves once its head is read. */
  function request(upstream: UpstreamAddress, req: UpstreamRequest): PendingResponse {
    const key = `${upstream.host}:${upstream.port}`;
    let fail: (error: Error) => void = () => {};
    let connection: Connection | null = null;
    let aborted: Error | null = null;
    const response = new Promise<Response>((resolve, reject) => {
      fail = reject;
      const pooled = take(key);
      if (pooled) return start(pooled, true, resolve, reject);
      connect(upstream).then((fresh) => (aborted ? (kill(fresh), reject(aborted)) : start(fresh, false, resolve, reject)), reject);
    });

    function start(conn: Connection, reused: boolean, resolve: (response: Response) => void, reject: (error: Error) => void) {
      connection = conn;
      const { method, body } = req;
      let head: ResponseHead | null = null;
      let early: Uint8Array[] | null = [];
      let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
      let complete = false;
      let reusable = false;
      let requestSent = body === null;
      let paused = false;
      let settled = false;

      const reader = createResponseReader(
        {
          head: (h) => void (head = h),
          body(chunk) {
            if (early) return void early.push(chunk);
            controller!.enqueue(chunk);
            if (!paused && controller!.desiredSize! <= 0) (paused = true), conn.socket!.pause();
          },
          done(keepAlive) {
            complete = true;
            reusable = keepAlive;
            controller?.close();
          },
        },
        method === "HEAD",
      );

      const finish = () => {
        if (!complete || conn.exchange !== exchange) return;
        // The last bytes may have come in while the client's side was full: the next request must be read.
        if (paused) (paused = false), conn.socket?.resume();
        if (reusable && requestSent) release(key, conn);
        else kill(conn);
      };

      const failed = (error: Error) => {
        if (conn.exchange === exchange) kill(conn);
        if (!settled) return void ((settled = true), reject(error));
        if (!complete) controller?.error(error);
      };

      const answer = () => {
        settled = true;
        pending.length = head!.length;
        const init = { status: head!.status, statusText: head!.statusText, headers: head!.headers };

        const chunks = early!;
        early = null;
        if (complete) return resolve(new Response(chunks.length === 0 ? null : ((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)) as Uint8Array<ArrayBuffer>), init));
        const stream = new ReadableStream<Uint8Array>(
          {
            start(c) {
              controller = c;
              for (const part of chunks) c.enqueue(part);
            },
            pull() {
              if (paused) (paused = false), conn.socket?.resume();
            },
            cancel() {
              // The client went away mid-body: this connection is in the middle of a message.
              if (!complete && conn.exchange === exchange) kill(conn);
            },
          },
          { highWaterMark: RESPONSE_HIGH_WATER, size: (part) => part?.byteLength ?? 0 },
        );
        resolve(new Response(stream, init));
      };

      const exchange: Exchange = {
        data(chunk) {
          try {
            reader.feed(chunk);
          } catch (error) {
            return failed(new UpstreamError(`bad response: ${(error as Error).message}`, "EPROTO", false));
          }
          if (!settled && head) answer();
          finish();
        },
        closed(error) {
          if (complete) return finish();
          if (reader.eof()) return finish();
          const before = !reader.started;
          // Nothing was answered and no body was consumed: a safe request may go again, and so may an idempotent
          // one on a pooled connection (the upstream had most likely dropped it while idle).
          const retryable = before && body === null && (SAFE.has(method) || (reused && IDEMPOTENT.has(method)));
          const code = (error as { code?: string } | undefined)?.code ?? "ECONNRESET";
          failed(new UpstreamError(before ? `upstream closed the connection before answering${error ? `: ${error.message}` : ""}` : "upstream closed the connection mid-body", code, retryable));
        },
        abort: failed,
      };
      conn.exchange = exchange;
      if (aborted) return failed(aborted);

      const headers = req.headers;
      const chunked = body !== null && !headers.has("content-length");
      let text = `${method} ${req.target} HTTP/1.1\r\n`;
      // Framing is this connection's own: a client's Transfer-Encoding or Connection never goes along.
      headers.forEach((value, name) => void (FRAMING.has(name) || (text += `${name}: ${value}\r\n`)));
      text += chunked ? "transfer-encoding: chunked\r\n\r\n" : "\r\n";
      try {
        // Header text is Latin-1 (Bun hands over each byte as one character); plain ASCII needs no re-encoding.
        const waiting = send(conn, NOT_ASCII.test(text) ? Buffer.from(text, "latin1") : text);
        if (body) {
          (waiting ?? Promise.resolve())
            .then(() => pump(conn, body, chunked, req.maxBodyBytes))
            .then(
              () => ((requestSent = true), req.bodySent?.(), finish()),
              (error) => failed(error instanceof BodyTooLarge || error instanceof UpstreamError ? error : new UpstreamError(`request body: ${(error as Error).message}`, "ECONNRESET", false)),
            );
        } else waiting?.catch(failed);
      } catch (error) {
        failed(error as Error);
      }
    }

    const pending: PendingResponse = {
      response,
      length: -1,
      abort(reason) {
        if (aborted) return;
        aborted = reason;
        const conn = connection as Connection | null;
        if (conn?.exchange) conn.exchange.abort(reason);
        else fail(reason);
      },
    };
    return pending;
  }

  return {
    request,
    /** Closes every idle connection (the edge is stopping). */
    close() {
      for (const list of idle.values()) for (const connection of list) kill(connection);
      idle.clear();
    },
  };
}
