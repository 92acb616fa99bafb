import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import { BerthError, notFound } from "../../core/errors.ts";
import type { ServiceBackup, ServiceBackupStore, ServicePlace } from "../../ports/service-backups.ts";

const ID = /^[0-9]{8}T[0-9]{6}(-[0-9]+)?Z$/;

/** `<root>/<project>/<env>/<block>/<id>.<format>.gz` with `<id>.json` beside it; folders 0700, files 0600. */
export function createServiceBackupStore(root: string): ServiceBackupStore {
  const dirOf = (p: ServicePlace) => join(root, p.project, p.environment, p.block);
  const recordOf = (p: ServicePlace, id: string): ServiceBackup => {
    if (!ID.test(id)) throw notFound(`backup ${JSON.stringify(id)} of ${p.block} in ${p.project}/${p.environment}`);
    const path = join(dirOf(p), `${id}.json`);
    if (!existsSync(path)) throw notFound(`backup ${id} of ${p.block} in ${p.project}/${p.environment}`);
    return JSON.parse(readFileSync(path, "utf8")) as ServiceBackup;
  };

  /** The time, to the second; a second backup in the same second gets a counter. */
  const newId = (dir: string) => {
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "");
    // Taken: any file of that id, a dump still being written (.partial) included.
    const taken = new Set(readdirSync(dir).map((name) => name.slice(0, name.indexOf("."))));
    for (let n = 0; ; n++) {
      const id = n === 0 ? `${stamp}Z` : `${stamp}-${n}Z`;
      if (!taken.has(id)) return id;
    }
  };
  /** Newest first: by time, then by the counter (as numbers: "-10Z" is after "-9Z", and both after "Z"). */
  const newestFirst = (a: ServiceBackup, b: ServiceBackup) => {
    const key = (id: string) => {
      const [, stamp, n] = /^(\d{8}T\d{6})(?:-(\d+))?Z$/.exec(id)!;
      return { stamp: stamp!, n: Number(n ?? 0) };
    };
    const [x, y] = [key(a.id), key(b.id)];
    return x.stamp === y.stamp ? y.n - x.n : y.stamp.localeCompare(x.stamp);
  };

  return {
    async save(meta, format, dump) {
      const dir = dirOf(meta);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const id = newId(dir);
      const file = join(dir, `${id}.${format}.gz`);
      const partial = `${file}.partial`;
      const hash = createHash("sha256");
      let bytes = 0;
      const count = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          bytes += chunk.length;
          done(null, chunk);
        },
      });
      try {
        await pipeline(Readable.from(dump), createGzip(), count, createWriteStream(partial, { mode: 0o600 }));
      } catch (error) {
        rmSync(partial, { force: true });
        throw error;
      }
      renameSync(partial, file);
      const record: ServiceBackup = { ...meta, id, createdAt: new Date().toISOString(), bytes, sha256: hash.digest("hex"), file };
      // Written whole or not at all: a torn record would stop listing, pruning and restores.
      writeFileSync(join(dir, `${id}.json.partial`), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
      renameSync(join(dir, `${id}.json.partial`), join(dir, `${id}.json`));
      return record;
    },

    list(place) {
      const dir = dirOf(place);
      if (!existsSync(dir)) return [];
      return readdirSync(dir)
        .filter((name) => name.endsWith(".json") && ID.test(name.slice(0, -5)))
        .map((name) => recordOf(place, name.slice(0, -5)))
        .sort(newestFirst);
    },

    async read(place, id) {
      const record = recordOf(place, id);
      const hash = createHash("sha256");
      await pipeline(createReadStream(record.file), hash);
      if (hash.digest("hex") !== record.sha256) throw new BerthError("invalid", `backup ${id}: ${record.file} does not match its recorded checksum (damaged or replaced); not restoring it`);
      return createReadStream(record.file).pipe(createGunzip());
    },

    remove(place, id) {
      const record = recordOf(place, id);
      rmSync(record.file, { force: true });
      rmSync(join(dirOf(place), `${id}.json`), { force: true });
    },
  };
}
