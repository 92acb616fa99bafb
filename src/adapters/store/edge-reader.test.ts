import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate, openDb, type Db } from "./db.ts";
import { openEdgeReader, type EdgeReader } from "./edge-reader.ts";
import { basicAuthUsers, edgeRoutes, gatewayClients } from "./schema.ts";

const open: { close(): void }[] = [];
afterEach(() => {
  for (const handle of open.splice(0)) handle.close();
});

function paths() {
  const dir = mkdtempSync(join(tmpdir(), "berth-edge-reader-"));
  return { dir, db: join(dir, "berth.db") };
}
const reader = (path: string): EdgeReader => {
  const r = openEdgeReader(path);
  open.push(r);
  return r;
};
const writer = (path: string): Db => {
  const db = openDb(path);
  open.push({ close: () => db.$client.close() });
  return db;
};
const updatedAt = "2026-01-01T00:00:00Z";

describe("edge reader", () => {
  test("waits for a DB that does not exist yet, and never creates it", () => {
    const { dir, db } = paths();
    const r = reader(db);
    expect(r.version()).toBeNull();
    expect(r.load()).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
  });

  test("waits for the tables of a DB that is not migrated yet, then reads them once it is", () => {
    const { db } = paths();
    const w = writer(db);
    const r = reader(db);
    const before = r.version();
    expect(before).not.toBeNull();
    expect(r.load()).toBeNull();
    // It does not migrate: the DB is as empty as the writer left it.
    expect(w.$client.query("SELECT count(*) AS n FROM sqlite_master").get()).toEqual({ n: 0 });
    migrate(w);
    expect(r.version()).not.toBe(before);
    expect(r.load()).toEqual({ routes: [], basicAuthUsers: [], gatewayClients: [], certificates: [], challenges: [] });
  });

  test("follows a database file put in place of the one it opened (a restore), even at the same data_version", async () => {
    const { dir, db } = paths();
    const w = writer(db);
    migrate(w);
    const r = reader(db);
    const before = r.version();
    expect(r.load()!.routes).toEqual([]);
    const other = join(dir, "restored.db");
    const w2 = writer(other);
    migrate(w2);
    w2.insert(edgeRoutes).values({ host: "web.prod.shop.localhost", pathPrefix: "", project: "shop", environment: "prod", block: "web", auth: "none", upstreams: [{ host: "127.0.0.1", port: 4001 }], updatedAt }).run();
    w2.$client.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    renameSync(other, db);
    // The file is compared at most every 200 ms (a stat per request would sit on the hot path).
    await Bun.sleep(250);
    expect(r.version()).not.toBe(before);
    expect(r.load()!.routes.map((route) => route.host)).toEqual(["web.prod.shop.localhost"]);
  });

  test("loads every row, JSON upstreams parsed, and sees each commit of another connection", () => {
    const { db } = paths();
    const w = writer(db);
    migrate(w);
    const r = reader(db);
    const v1 = r.version();
    w.insert(edgeRoutes).values({ host: "web.prod.shop.localhost", pathPrefix: "", project: "shop", environment: "prod", block: "web", auth: "basic", upstreams: [{ host: "127.0.0.1", port: 4001 }], updatedAt }).run();
    w.insert(basicAuthUsers).values({ project: "shop", environment: "prod", block: "web", username: "ann", passwordHash: "$argon2id$x", updatedAt }).run();
    w.insert(gatewayClients).values({ clientId: "gc_1", project: "shop", environment: "prod", name: "ci", secretHash: "ab".repeat(32) }).run();
    const v2 = r.version();
    expect(v2).not.toBe(v1);
    expect(r.version()).toBe(v2!);
    const rows = r.load()!;
    expect(rows.routes).toEqual([{ id: 1, host: "web.prod.shop.localhost", pathPrefix: "", project: "shop", environment: "prod", block: "web", auth: "basic", upstreams: [{ host: "127.0.0.1", port: 4001 }], https: "redirect", hsts: false }]);
    expect(rows.basicAuthUsers).toEqual([{ project: "shop", environment: "prod", block: "web", username: "ann", passwordHash: "$argon2id$x" }]);
    expect(rows.gatewayClients).toEqual([{ clientId: "gc_1", project: "shop", environment: "prod", secretHash: "ab".repeat(32) }]);
  });

  test("reads while another connection holds a write transaction", () => {
    const { db } = paths();
    const w = writer(db);
    migrate(w);
    const r = reader(db);
    expect(r.load()!.routes).toHaveLength(0);
    w.$client.exec("BEGIN IMMEDIATE");
    w.insert(edgeRoutes).values({ host: "a.localhost", pathPrefix: "", project: "p", environment: "e", block: "a", auth: "none", upstreams: [], updatedAt }).run();
    // WAL: the reader sees the last committed state, not blocked by the open write.
    expect(r.load()!.routes).toHaveLength(0);
    w.$client.exec("COMMIT");
    expect(r.load()!.routes).toHaveLength(1);
  });
});
