import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startEdge, type Edge } from "./server.ts";
import { deadPort, eventually, stateDir, upstream } from "./test-fixtures.ts";

let state: ReturnType<typeof stateDir>;
let edge: Edge;
const a = upstream("a");
const b = upstream("b");
const slow = upstream("slow", { slowMs: 3000 });

beforeAll(async () => {
  state = stateDir();
  state.route({ host: "a.prod.shop.localhost", block: "a", ports: [a.port] });
  state.route({ host: "b.prod.shop.localhost", block: "b", ports: [b.port] });
  state.route({ host: "empty.prod.shop.localhost", block: "empty", ports: [] });
  state.route({ host: "dead.prod.shop.localhost", block: "dead", ports: [deadPort()] });
  state.route({ host: "slow.prod.shop.localhost", block: "slow", ports: [slow.port] });
  state.route({ host: "pair.prod.shop.localhost", block: "pair", ports: [deadPort(), b.port] });
  edge = await startEdge({ dataDir: state.dataDir, listen: "127.0.0.1:0", metricsListen: "127.0.0.1:0", domain: "localhost", upstreamTimeoutMs: 500, maxBodyBytes: 1000 });
});
afterAll(async () => {
  await edge.stop();
  for (const server of [a, b, slow]) server.stop();
  state.close();
});

const get = (host: string, path = "/", init: RequestInit = {}) => fetch(`${edge.url}${path}`, { ...init, headers: { host, ...(init.headers as Record<string, string>) } });

describe("edge proxy", () => {
  test("routes by Host, ignoring case and port", async () => {
    const fromA = await get("a.prod.shop.localhost", "/x?y=1");
    expect(fromA.status).toBe(200);
    expect(await fromA.json()).toEqual({ name: "a", length: 0 });
    expect(a.seen.at(-1)!.path).toBe("/x?y=1");
    expect((await (await get("B.Prod.Shop.Localhost:8080")).json()).name).toBe("b");
  });

  test("unknown host: 404 naming it; no upstreams: 503; dead upstream: 502; slow one: 504", async () => {
    const unknown = await get("nowhere.localhost");
    expect([unknown.status, await unknown.text()]).toEqual([404, "no site at nowhere.localhost\n"]);
    const empty = await get("empty.prod.shop.localhost");
    expect([empty.status, await empty.text()]).toEqual([503, "environment prod of shop is stopped: empty has no running instance\n"]);
    const dead = await get("dead.prod.shop.localhost");
    expect(dead.status).toBe(502);
    // A 502 rather than the 504 below: a refused connection is reported, not waited out.
    expect(await dead.text()).toStartWith("dead is not reachable");

    const timed = performance.now();
    const late = await get("slow.prod.shop.localhost", "/slow");
    // The upstream answers after 3 s: a 504 naming the 500 ms timeout is the timeout firing first.
    expect([late.status, await late.text()]).toEqual([504, "slow did not answer within 500 ms\n"]);
    expect(performance.now() - timed).toBeGreaterThanOrEqual(450);
  });

  test("a refused connection is retried on the next upstream, request body included", async () => {
    const before = b.seen.length;
    for (let i = 0; i < 4; i++) {
      const response = await get("pair.prod.shop.localhost", "/", { method: "POST", body: `try ${i}` });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ name: "b", length: 5 });
    }
    expect(b.seen.length - before).toBe(4);
  });

  test("replaces a client's X-Forwarded-*, X-Real-IP and X-Request-Id with what the edge saw, drops hop-by-hop headers", async () => {
    const forged = { "x-forwarded-for": "203.0.113.9", "x-real-ip": "203.0.113.9", "x-forwarded-proto": "https", forwarded: "for=203.0.113.9", "x-request-id": "req-42" };
    await get("a.prod.shop.localhost", "/h", { headers: { ...forged, connection: "x-private", "x-private": "1", "proxy-authorization": "Basic eA==" } });
    const seen = a.seen.at(-1)!.headers;
    expect(seen["x-forwarded-for"]).toBe("127.0.0.1");
    expect(seen["x-real-ip"]).toBe("127.0.0.1");
    expect(seen["x-forwarded-proto"]).toBe("http");
    expect(seen["x-forwarded-host"]).toBe("a.prod.shop.localhost");
    expect(seen.forwarded).toBeUndefined();
    expect(seen.host).toBe("a.prod.shop.localhost");
    expect(seen["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen["x-private"]).toBeUndefined();
    expect(seen["proxy-authorization"]).toBeUndefined();

    await get("a.prod.shop.localhost", "/h", { headers: { "x-request-id": "req-42", "x-berth-client": "forged" } });
    const second = a.seen.at(-1)!.headers;
    expect(second["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(second["x-request-id"]).not.toBe(seen["x-request-id"]);
    expect(second["x-berth-client"]).toBeUndefined();
  });

  test("streams the response as the upstream sends it, without hop-by-hop headers", async () => {
    const response = await get("a.prod.shop.localhost", "/stream");
    const reader = response.body!.getReader();
    const first = await reader.read();
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    // The upstream sends its three parts 100 ms apart: a buffering proxy would hand over all three at once.
    expect(new TextDecoder().decode(first.value)).toBe("one ");
    expect(rest).toBe("two three");
    expect(response.headers.get("keep-alive")).toBeNull();
  });

  test("streams a chunked request body; refuses bodies over the limit with 413 and a reason", async () => {
    const chunked = (...parts: string[]) => new ReadableStream({ pull: (c) => (parts.length ? c.enqueue(new TextEncoder().encode(parts.shift()!)) : c.close()) });
    const response = await get("a.prod.shop.localhost", "/upload", { method: "POST", body: chunked("x".repeat(300), "y".repeat(300)) });
    expect(await response.json()).toEqual({ name: "a", length: 600 });

    const before = a.seen.length;
    const declared = await get("a.prod.shop.localhost", "/upload", { method: "POST", body: "z".repeat(1001) });
    expect([declared.status, await declared.text()]).toEqual([413, "request body over 1000 bytes\n"]);
    expect(a.seen.length).toBe(before);
    const streamed = await get("a.prod.shop.localhost", "/upload", { method: "POST", body: chunked("x".repeat(600), "y".repeat(600)) });
    expect(streamed.status).toBe(413);
    expect(a.seen.length).toBe(before);
  });

  test("passes redirects and compressed bodies through untouched", async () => {
    const redirect = await get("a.prod.shop.localhost", "/redirect", { redirect: "manual" });
    expect([redirect.status, redirect.headers.get("location")]).toEqual([302, "/elsewhere"]);
    const gzip = await get("a.prod.shop.localhost", "/gzip", { decompress: false } as RequestInit);
    expect(gzip.headers.get("content-encoding")).toBe("gzip");
    expect(new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(await gzip.arrayBuffer())))).toBe("compressed by the app");
  });

  test("relays websockets both ways, with the subprotocol the upstream chose, and closes both sides", async () => {
    const open = (protocols: string[]) => new WebSocket(`${edge.url.replace("http", "ws")}/live?room=1`, { headers: { host: "a.prod.shop.localhost" }, protocols } as never);
    const socket = open(["chat.v1", "chat.v0"]);
    const received: string[] = [];
    const closed = new Promise<number>((resolve) => (socket.onclose = (e) => resolve(e.code)));
    socket.onmessage = (event) => {
      received.push(String(event.data));
      if (received.length === 1) socket.send("ping");
      if (received.length === 2) socket.send(new Uint8Array([1, 2, 3]));
      if (received.length === 3) socket.close(1000, "done");
    };
    expect(await closed).toBe(1000);
    expect(received).toEqual(["hello from a", "a: ping", "\x01\x02\x03"]);
    expect(socket.protocol).toBe("chat.v1");
    const handshake = a.seen.findLast((s) => s.method === "WS")!;
    expect(handshake.path).toBe("/live?room=1");
    expect(handshake.headers["x-forwarded-for"]).toBe("127.0.0.1");
    await eventually(() => a.socketCloses.includes(1000));

    // And the other way round: the upstream closes, the client follows with the same code.
    const second = open([]);
    second.onopen = () => second.send("bye");
    expect(await new Promise<number>((resolve) => (second.onclose = (e) => resolve(e.code)))).toBe(4001);
  });

  test("metrics count requests per route and status class; healthz names the process", async () => {
    const metrics = await (await fetch(`${edge.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/berth_edge_requests_total\{project="shop",env="prod",block="b",status="2xx"\} \d+/);
    expect(metrics).toContain('berth_edge_requests_total{project="shop",env="prod",block="empty",status="5xx"} 1');
    expect(metrics).toContain('berth_edge_requests_total{project="shop",env="prod",block="dead",status="5xx"} 1');
    expect(metrics).toContain('berth_edge_request_duration_seconds_count{project="shop",env="prod",block="slow"} 1');
    expect(metrics).toMatch(/berth_edge_unrouted_requests_total [1-9]/);
    expect(metrics).toContain("berth_edge_routes 6");
    expect(metrics).not.toContain("nodejs_heap");
    expect(await (await fetch(`${edge.metricsUrl}/healthz`)).json()).toMatchObject({ status: "ok", pid: process.pid, routes: 6 });
  });
});
