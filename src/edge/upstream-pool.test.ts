import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Socket } from "bun";
import { startEdge, type Edge } from "./server.ts";
import { createUpstreamPools } from "./upstream-pool.ts";
import { stateDir } from "./test-fixtures.ts";

// The edge's own upstream client (upstream-pool.ts) against upstreams that misbehave on purpose:
// raw sockets on loopback write exactly the bytes each case needs.

const MB = 1024 * 1024;
type Raw = (socket: Socket<{ head: string }>, path: string) => void;

/** An upstream speaking raw HTTP: each request head is answered by the script for its path; connections are counted. */
function rawUpstream(scripts: Record<string, Raw>) {
  const stats = { connections: 0, closed: 0, heads: [] as string[] };
  const listener = Bun.listen<{ head: string }>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(socket) {
        stats.connections++;
        socket.data = { head: "" };
      },
      close() {
        stats.closed++;
      },
      data(socket, chunk) {
        socket.data.head += chunk.toString("latin1");
        const end = socket.data.head.indexOf("\r\n\r\n");
        if (end === -1) return;
        const head = socket.data.head.slice(0, end);
        socket.data.head = "";
        stats.heads.push(head);
        const path = head.split(" ")[1]!;
        scripts[path]?.(socket, path);
      },
    },
  });
  return { port: listener.port, stats, stop: () => listener.stop(true) };
}

/** A Bun upstream for streams: big downloads and uploads, counted without keeping them. */
function streamingUpstream() {
  const uploads: { bytes: number; expect: string | null; chunked: boolean }[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 60,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/download") {
        let sent = 0;
        const piece = new Uint8Array(64 * 1024).fill(120);
        return new Response(
          new ReadableStream({
            pull(controller) {
              if (sent >= 50 * MB) return controller.close();
              controller.enqueue(piece);
              sent += piece.length;
            },
          }),
          { headers: { "content-length": String(50 * MB) } },
        );
      }
      if (path === "/events") {
        return new Response(
          new ReadableStream({
            async start(controller) {
              controller.enqueue(new TextEncoder().encode("data: first\n\n"));
              await Bun.sleep(5000);
              controller.close();
            },
          }),
          { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } },
        );
      }
      let bytes = 0;
      const reader = req.body?.getReader();
      for (let part = await reader?.read(); part && !part.done; part = await reader!.read()) bytes += part.value.byteLength;
      uploads.push({ bytes, expect: req.headers.get("expect"), chunked: req.headers.get("transfer-encoding") === "chunked" });
      return Response.json({ bytes });
    },
  });
  return { port: server.port!, uploads, stop: () => server.stop(true) };
}

const raw = rawUpstream({
  "/chunked": (s) => s.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-sum\r\n\r\n4;note=x\r\nchun\r\n3\r\nked\r\n0\r\nx-sum: 7\r\n\r\n"),
  "/close-delimited": (s) => (s.write("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the upstream "), setTimeout(() => (s.write("closes"), s.end()), 50)),
  "/closes-after": (s) => (s.write("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbye."), s.end()),
  "/keep-alive": (s) => s.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nkept"),
  "/cut": (s) => (s.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nonly the start"), setTimeout(() => s.end(), 50)),
  "/cut-chunked": (s) => (s.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"), setTimeout(() => s.end(), 50)),
  "/never": () => {},
  "/continue-first": (s) => s.write("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nafter"),
  "/no-content": (s) => s.write("HTTP/1.1 204 No Content\r\nX-Done: yes\r\n\r\n"),
  "/head": (s) => s.write("HTTP/1.1 200 OK\r\nContent-Length: 12345\r\n\r\n"),
  "/garbage": (s) => s.write("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"),
  "/nul-header": (s) => s.write("HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 2\r\n\r\nok"),
});
const streams = streamingUpstream();
let state: ReturnType<typeof stateDir>;
let edge: Edge;

beforeAll(async () => {
  state = stateDir();
  state.route({ host: "raw.prod.shop.localhost", block: "raw", ports: [raw.port] });
  state.route({ host: "big.prod.shop.localhost", block: "big", ports: [streams.port] });
  edge = await startEdge({ dataDir: state.dataDir, listen: "127.0.0.1:0", metricsListen: "127.0.0.1:0", domain: "localhost", upstreamTimeoutMs: 400, maxBodyBytes: 100 * MB });
});
afterAll(async () => {
  await edge.stop();
  raw.stop();
  streams.stop();
  state.close();
});

const get = (path: string, init: RequestInit = {}, host = "raw.prod.shop.localhost") => fetch(`${edge.url}${path}`, { ...init, headers: { host, ...(init.headers as Record<string, string>) } });
/** Collected first when asked: what is measured is memory held, not garbage that a GC has not reached yet. */
const rssMb = (collect = false) => (collect && Bun.gc(true), process.memoryUsage().rss / MB);

describe("edge upstream connections", () => {
  test("chunked and close-delimited bodies arrive whole; trailers and hop-by-hop headers stay behind", async () => {
    const chunked = await get("/chunked");
    expect([chunked.status, await chunked.text(), chunked.headers.get("trailer")]).toEqual([200, "chunked", null]);
    const closed = await get("/close-delimited");
    expect([closed.status, await closed.text()]).toEqual([200, "until the upstream closes"]);
  });

  test("keep-alive connections are reused, and a Connection: close response is not reused", async () => {
    const before = raw.stats.connections;
    for (let i = 0; i < 3; i++) expect(await (await get("/keep-alive")).text()).toBe("kept");
    expect(raw.stats.connections - before).toBe(1);
    expect(await (await get("/closes-after")).text()).toBe("bye.");
    // The connection the upstream closed is not picked again: a fresh one carries the next request.
    expect(await (await get("/keep-alive")).text()).toBe("kept");
    expect(raw.stats.connections - before).toBe(2);
  });

  test("an idle pooled connection is closed by the edge, not kept until the upstream goes", async () => {
    const [opened, closed] = [raw.stats.connections, raw.stats.closed];
    expect(await (await get("/keep-alive")).text()).toBe("kept");
    expect(raw.stats.connections - opened).toBeLessThanOrEqual(1);
    // Idle for 1.5 s, then swept within the next 1.5 s.
    for (const deadline = Date.now() + 4500; raw.stats.closed === closed && Date.now() < deadline; ) await Bun.sleep(100);
    expect(raw.stats.closed - closed).toBeGreaterThanOrEqual(1);
  });

  test("an upstream closing mid-body aborts the client's body instead of hanging it", async () => {
    for (const path of ["/cut", "/cut-chunked"]) {
      const response = await get(path);
      expect(response.status).toBe(200);
      const read = response.text().then(
        () => "complete",
        () => "aborted",
      );
      expect(await Promise.race([read, Bun.sleep(3000).then(() => "hung")])).toBe("aborted");
    }
  });

  test("an upstream that never answers gets 504 after the timeout, and the route keeps working", async () => {
    const started = performance.now();
    const late = await get("/never");
    expect([late.status, await late.text()]).toEqual([504, "raw did not answer within 400 ms\n"]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(380);
    expect(await (await get("/keep-alive")).text()).toBe("kept");
    const upload = await get("/never", { method: "POST", body: "a small body" });
    expect([upload.status, await upload.text()]).toEqual([504, "raw did not answer within 400 ms\n"]);
  });

  test("an upload is timed from its last byte: a body slower to send than the timeout still gets its answer", async () => {
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        for (let i = 0; i < 8; i++) {
          controller.enqueue(new Uint8Array(1000));
          await Bun.sleep(100);
        }
        controller.close();
      },
    });
    const response = await get("/upload", { method: "POST", body, duplex: "half" } as RequestInit, "big.prod.shop.localhost");
    expect([response.status, await response.text()]).toEqual([200, JSON.stringify({ bytes: 8000 })]);
  });

  test("1xx responses are skipped; 204 and HEAD carry no body; a response with ambiguous framing is a 502", async () => {
    expect(await (await get("/continue-first")).text()).toBe("after");
    const none = await get("/no-content");
    expect([none.status, none.headers.get("x-done"), await none.text()]).toEqual([204, "yes", ""]);
    const head = await get("/head", { method: "HEAD" });
    expect([head.status, head.headers.get("content-length"), await head.text()]).toEqual([200, "12345", ""]);
    const bad = await get("/garbage");
    expect([bad.status, await bad.text()]).toEqual([502, "raw is not reachable (EPROTO)\n"]);
    // A header a response cannot carry is a 502 at once, not a wait for the timeout.
    const nul = await get("/nul-header");
    expect([nul.status, await nul.text()]).toEqual([502, "raw is not reachable (EPROTO)\n"]);
  });

  test("a 50 MB download streams through without being held in memory", async () => {
    const before = rssMb(true);
    const response = await get("/download", {}, "big.prod.shop.localhost");
    expect(response.status).toBe(200);
    let bytes = 0;
    let peak = before;
    const reader = response.body!.getReader();
    for (let part = await reader.read(); !part.done; part = await reader.read()) {
      const chunk = part.value;
      bytes += chunk.byteLength;
      if ((bytes & (4 * MB - 1)) < chunk.byteLength) peak = Math.max(peak, rssMb(true));
    }
    expect(bytes).toBe(50 * MB);
    // Buffered whole, the body alone would add 50 MB (twice, with the client's copy).
    expect(peak - before).toBeLessThan(40);
  });

  test("a 50 MB chunked upload streams through to the upstream without being held in memory", async () => {
    const before = rssMb(true);
    let peak = before;
    let sent = 0;
    const piece = new Uint8Array(64 * 1024).fill(121);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 50 * MB) return controller.close();
        controller.enqueue(piece);
        sent += piece.length;
        if ((sent & (4 * MB - 1)) === 0) peak = Math.max(peak, rssMb(true));
      },
    });
    const response = await get("/upload", { method: "POST", body, duplex: "half" } as RequestInit, "big.prod.shop.localhost");
    const answer = await response.text();
    expect(answer).toBe(JSON.stringify({ bytes: 50 * MB }));
    expect(streams.uploads.at(-1)!.chunked).toBe(true);
    expect(peak - before).toBeLessThan(40);
  });

  test("headers that still carry the client's framing are framed anew: a relayed chunked upload arrives whole", async () => {
    const headers = new Headers({ host: "upload.test", "transfer-encoding": "chunked", connection: "keep-alive" });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(1000).fill(97));
        controller.close();
      },
    });
    const answer = await createUpstreamPools().request({ host: "127.0.0.1", port: streams.port }, { method: "POST", target: "/upload", headers, body, maxBodyBytes: MB }).response;
    expect([answer.status, await answer.json()]).toEqual([200, { bytes: 1000 }]);
    expect(streams.uploads.at(-1)).toMatchObject({ bytes: 1000, chunked: true });
  });

  test("Expect: 100-continue is answered by the edge and the body then goes upstream", async () => {
    let received = "";
    const socket = await Bun.connect({ hostname: "127.0.0.1", port: Number(new URL(edge.url).port), socket: { data: (_s, chunk) => void (received += chunk.toString()) } });
    socket.write("POST /expect HTTP/1.1\r\nHost: big.prod.shop.localhost\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n");
    const until = async (text: string) => {
      for (let i = 0; i < 100 && !received.includes(text); i++) await Bun.sleep(20);
      return received.includes(text);
    };
    expect(await until("100 Continue")).toBe(true);
    socket.write("hello world");
    expect(await until('{"bytes":11}')).toBe(true);
    socket.end();
    expect(streams.uploads.at(-1)).toEqual({ bytes: 11, expect: null, chunked: false });
  });

  test("server-sent events pass through as they are sent, not when the stream ends", async () => {
    const started = performance.now();
    const response = await get("/events", {}, "big.prod.shop.localhost");
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe("data: first\n\n");
    // The upstream holds the stream open for 5 s: the first event came long before that.
    expect(performance.now() - started).toBeLessThan(2000);
    await reader.cancel();
  });
});
