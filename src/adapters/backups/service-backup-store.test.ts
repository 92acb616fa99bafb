import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { createServiceBackupStore } from "./service-backup-store.ts";

const root = mkdtempSync(join(tmpdir(), "service-backups-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const place = { project: "shop", environment: "prod", block: "db" };
const meta = { ...place, template: "postgres", version: "16", runId: 7 };
async function* chunks(...parts: string[]) {
  for (const part of parts) yield new TextEncoder().encode(part);
}
async function* failing() {
  yield new TextEncoder().encode("half a dump");
  throw new Error("the dump exited with code 1");
}
const text = async (source: AsyncIterable<Uint8Array>) => {
  let out = "";
  for await (const chunk of source) out += new TextDecoder().decode(chunk);
  return out;
};

describe("service backup files", () => {
  test("a dump is compressed into a private file with its size and checksum recorded, and reads back", async () => {
    const store = createServiceBackupStore(root);
    const backup = await store.save(meta, "sql", chunks("CREATE TABLE t;\n", "COPY t FROM stdin;\n"));
    expect(backup).toMatchObject({ ...meta, file: join(root, "shop", "prod", "db", `${backup.id}.sql.gz`) });
    expect(backup.id).toMatch(/^\d{8}T\d{6}Z$/);
    const bytes = readFileSync(backup.file);
    expect(backup.bytes).toBe(bytes.length);
    expect(new Bun.CryptoHasher("sha256").update(bytes).digest("hex")).toBe(backup.sha256);
    expect(gunzipSync(bytes).toString()).toBe("CREATE TABLE t;\nCOPY t FROM stdin;\n");
    expect(statSync(backup.file).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, "shop", "prod", "db")).mode & 0o777).toBe(0o700);
    expect(await text(await store.read(place, backup.id))).toBe("CREATE TABLE t;\nCOPY t FROM stdin;\n");
  });

  test("newest first, unique within a second; removed ones are gone; a failed dump leaves nothing", async () => {
    const store = createServiceBackupStore(root);
    const other = { ...place, block: "cache" };
    const a = await store.save({ ...meta, ...other }, "rdb", chunks("a"));
    const b = await store.save({ ...meta, ...other }, "rdb", chunks("b"));
    expect(store.list(other).map((x) => x.id)).toEqual([b.id, a.id]);
    expect(new Set([a.id, b.id]).size).toBe(2);
    await expect(store.save({ ...meta, ...other }, "rdb", failing())).rejects.toThrow("exited with code 1");
    expect(store.list(other)).toHaveLength(2);
    store.remove(other, a.id);
    expect(store.list(other).map((x) => x.id)).toEqual([b.id]);
  });

  test("a file changed after the backup is refused on read; an unknown id is not found", async () => {
    const store = createServiceBackupStore(root);
    const backup = await store.save({ ...meta, block: "tampered" }, "sql", chunks("data"));
    writeFileSync(backup.file, "not the same bytes");
    await expect(store.read({ ...place, block: "tampered" }, backup.id)).rejects.toThrow("does not match its recorded checksum");
    expect(() => store.list({ ...place, block: "tampered" }) && store.remove({ ...place, block: "tampered" }, "../../etc")).toThrow("not found");
  });

  test("twelve backups in a row list newest first by their counter, and two at once never share an id", async () => {
    const store = createServiceBackupStore(mkdtempSync(join(tmpdir(), "service-backups-order-")));
    const place = { project: "shop", environment: "prod", block: "ordered" };
    const meta = { ...place, template: "postgres", version: "16", runId: 8 };
    // Held open: the second save starts while the first is still writing.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    async function* slow() {
      yield new TextEncoder().encode("first");
      await held;
    }
    const first = store.save(meta, "sql", slow());
    await Bun.sleep(20);
    const second = await store.save(meta, "sql", chunks("second"));
    release();
    expect((await first).id).not.toBe(second.id);
    const saved = [await first, second];
    for (let i = 0; i < 10; i++) saved.push(await store.save(meta, "sql", chunks(`n${i}`)));
    // Ids are taken when a save starts: newest first is the reverse of the order they started in
    // (within a second by the counter, as numbers: "-10Z" after "-9Z", both after "Z").
    expect(store.list(place).map((b) => b.id)).toEqual(saved.map((b) => b.id).reverse());
  });
});
