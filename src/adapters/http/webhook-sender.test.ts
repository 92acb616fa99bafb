import { afterAll, describe, expect, test } from "bun:test";
import { createWebhookSender } from "./webhook-sender.ts";

/** A receiver on loopback: each path answers its own way. */
const received: { path: string; body: string; headers: Headers }[] = [];
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    const path = new URL(req.url).pathname;
    received.push({ path, body: await req.text(), headers: req.headers });
    if (path === "/ok") return new Response(null, { status: 204 });
    if (path === "/busy") return new Response("slow down", { status: 429, headers: { "Retry-After": "7" } });
    if (path === "/moved") return Response.redirect("http://127.0.0.1:1/elsewhere", 301);
    if (path === "/big") return new Response("x".repeat(1_000_000), { status: 500 });
    if (path === "/hang") return new Promise<Response>(() => {});
    return new Response("no_service", { status: 404 });
  },
});
afterAll(() => server.stop(true));

const base = `http://127.0.0.1:${server.port}`;
const sender = createWebhookSender();
const post = (path: string, timeoutMs = 5000) => sender.post({ url: `${base}${path}`, body: '{"a":1}', headers: { "Content-Type": "application/json", "X-Berth-Event": "deploy" }, timeoutMs });

describe("the fetch sender", () => {
  test("POSTs the body and headers, and reports the status", async () => {
    expect(await post("/ok")).toEqual({ kind: "answered", status: 204, body: "", retryAfterMs: null });
    const last = received.at(-1)!;
    expect([last.path, last.body, last.headers.get("x-berth-event")]).toEqual(["/ok", '{"a":1}', "deploy"]);
  });

  test("keeps what the receiver said and its Retry-After", async () => {
    expect(await post("/nope")).toEqual({ kind: "answered", status: 404, body: "no_service", retryAfterMs: null });
    expect(await post("/busy")).toEqual({ kind: "answered", status: 429, body: "slow down", retryAfterMs: 7000 });
  });

  test("follows no redirect, and reads only the start of a large answer", async () => {
    expect(await post("/moved")).toMatchObject({ kind: "answered", status: 301 });
    expect(received.some((r) => r.path === "/elsewhere")).toBe(false);
    const big = await post("/big");
    expect(big.kind === "answered" && big.body.length).toBe(4096);
  });

  test("a receiver that does not answer in time is a timeout", async () => {
    expect(await post("/hang", 300)).toEqual({ kind: "timeout" });
  });

  test("no listener is a refused connection, said without the URL", async () => {
    const closed = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = closed.port;
    closed.stop(true);
    const result = await sender.post({ url: `http://127.0.0.1:${port}/s3cr3t`, body: "{}", headers: {}, timeoutMs: 5000 });
    expect(result).toEqual({ kind: "unreachable", detail: "connection refused" });
  });
});
