// Test support for the edge's tests: a real state DB and real upstream servers on loopback.
import type { Server } from "bun";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate, openDb, type Db } from "../adapters/store/db.ts";
import { basicAuthUsers, edgeRoutes, gatewayClients } from "../adapters/store/schema.ts";

const now = () => new Date().toISOString();

/** A data dir with a migrated `berth.db` and a `secret.key`, written through a normal connection as `serve` would. */
export function stateDir() {
  const dataDir = mkdtempSync(join(tmpdir(), "berth-edge-"));
  const db: Db = openDb(join(dataDir, "berth.db"));
  migrate(db);
  const masterKey = randomBytes(32);
  writeFileSync(join(dataDir, "secret.key"), masterKey, { mode: 0o600 });
  return {
    dataDir,
    db,
    masterKey,
    route(r: { host: string; pathPrefix?: string; block: string; project?: string; environment?: string; auth?: "none" | "basic" | "gateway"; ports: number[] }) {
      const values = {
        host: r.host,
        pathPrefix: r.pathPrefix ?? "",
        project: r.project ?? "shop",
        environment: r.environment ?? "prod",
        block: r.block,
        auth: r.auth ?? "none",
        upstreams: r.ports.map((port) => ({ host: "127.0.0.1", port })),
        updatedAt: now(),
      };
      db.insert(edgeRoutes).values(values).onConflictDoUpdate({ target: [edgeRoutes.host, edgeRoutes.pathPrefix], set: values }).run();
    },
    async user(block: string, username: string, password: string, where = { project: "shop", environment: "prod" }) {
      const passwordHash = await Bun.password.hash(password);
      const row = { ...where, block, username, passwordHash, updatedAt: now() };
      db.insert(basicAuthUsers).values(row).onConflictDoUpdate({ target: [basicAuthUsers.project, basicAuthUsers.environment, basicAuthUsers.block, basicAuthUsers.username], set: row }).run();
    },
    client(clientId: string, secret: string, where = { project: "shop", environment: "prod" }) {
      const secretHash = new Bun.CryptoHasher("sha256").update(secret).digest("hex");
      db.insert(gatewayClients).values({ clientId, ...where, name: clientId, secretHash }).run();
    },
    close: () => db.$client.close(),
  };
}

export interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * An app on loopback that answers with what it saw. `/slow` waits `slowMs`; `/stream` sends
 * chunks 100 ms apart; a websocket upgrade gets an echo server that greets first and
 * closes with 4001 on "bye".
 */
export function upstream(name: string, options: { slowMs?: number } = {}) {
  const seen: Seen[] = [];
  const socketCloses: number[] = [];
  const server: Server<undefined> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req, srv) {
      const url = new URL(req.url);
      if (req.headers.get("upgrade") === "websocket") {
        seen.push({ method: "WS", path: url.pathname + url.search, headers: req.headers.toJSON(), body: "" });
        const protocol = req.headers.get("sec-websocket-protocol")?.split(",")[0]?.trim();
        return srv.upgrade(req, { data: undefined, headers: protocol ? { "sec-websocket-protocol": protocol } : {} }) ? undefined : new Response("no", { status: 400 });
      }
      const body = await req.text();
      seen.push({ method: req.method, path: url.pathname + url.search, headers: req.headers.toJSON(), body });
      if (url.pathname === "/slow") await Bun.sleep(options.slowMs ?? 5000);
      if (url.pathname === "/stream") {
        const encoder = new TextEncoder();
        return new Response(
          new ReadableStream({
            async start(controller) {
              for (const part of ["one ", "two ", "three"]) {
                controller.enqueue(encoder.encode(part));
                await Bun.sleep(100);
              }
              controller.close();
            },
          }),
          { headers: { "content-type": "text/plain", connection: "keep-alive", "keep-alive": "timeout=5" } },
        );
      }
      if (url.pathname === "/gzip") return new Response(Bun.gzipSync("compressed by the app"), { headers: { "content-encoding": "gzip" } });
      if (url.pathname === "/redirect") return new Response(null, { status: 302, headers: { location: "/elsewhere" } });
      return Response.json({ name, length: body.length }, { headers: { "x-upstream": name } });
    },
    websocket: {
      open: (ws) => void ws.send(`hello from ${name}`),
      message: (ws, message) => (message === "bye" ? ws.close(4001, "bye") : void ws.send(typeof message === "string" ? `${name}: ${message}` : message)),
      close: (_ws, code) => void socketCloses.push(code),
    },
  });
  return { name, port: server.port!, seen, socketCloses, stop: () => server.stop(true) };
}

/** A loopback port nobody listens on. */
export function deadPort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

/** Polls until `check` passes or `timeoutMs` is over; returns how long it took. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 3000): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await Bun.sleep(20);
  }
  return Date.now() - start;
}
