import { gunzipSync, gzipSync } from "node:zlib";
import { extract, pack } from "tar-stream";

export interface Entry {
  /** Relative to the data dir, "/"-separated. */
  path: string;
  data: Buffer;
  mode: number;
}

/** A gzipped tar of the entries, in order; readable with plain `tar -xzf` when not encrypted. */
export async function packArchive(entries: Entry[], mtime: Date): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on("data", (chunk) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    tar.on("end", resolve);
    tar.on("error", reject);
  });
  for (const entry of entries) {
    await new Promise<void>((resolve, reject) =>
      tar.entry({ name: entry.path, size: entry.data.length, mode: entry.mode, mtime, type: "file" }, entry.data, (error) => (error ? reject(error) : resolve())),
    );
  }
  tar.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

/** Every regular file of a gzipped tar; anything else (links, devices, odd paths) is refused. */
export async function unpackArchive(data: Buffer): Promise<Map<string, Entry>> {
  let tarData: Buffer;
  try {
    tarData = gunzipSync(data);
  } catch {
    throw new Error("not a Berth backup (not a gzipped tar, nor an encrypted backup)");
  }
  const entries = new Map<string, Entry>();
  const reader = extract();
  const done = new Promise<void>((resolve, reject) => {
    reader.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk) => chunks.push(chunk as Buffer));
      stream.on("end", () => {
        if (header.type !== "file") return reader.destroy(new Error(`the backup holds ${header.name}, which is not a regular file`));
        if (!safePath(header.name)) return reader.destroy(new Error(`the backup holds a file outside the data dir: ${header.name}`));
        entries.set(header.name, { path: header.name, data: Buffer.concat(chunks), mode: (header.mode ?? 0o600) & 0o777 });
        next();
      });
      stream.resume();
    });
    reader.on("finish", resolve);
    reader.on("error", reject);
  });
  reader.end(tarData);
  await done;
  return entries;
}

/** Relative, no "..", no empty parts: the file lands inside the data dir. */
export const safePath = (path: string) => path.length > 0 && !path.startsWith("/") && path.split("/").every((part) => part !== "" && part !== "." && part !== "..");
