import { createReadStream, type Dirent } from "node:fs";
import { lstat, readFile, readdir, readlink, realpath, stat } from "node:fs/promises";
import { join, posix, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import dockerignore from "@balena/dockerignore";
import { pack, type Pack } from "tar-stream";
import { type BerthError, invalid } from "../../core/errors.ts";

/** Name of a generated Dockerfile inside the tar; a context file of that name is left out, so it cannot collide. */
export const GENERATED_DOCKERFILE = ".berth.Dockerfile";

export interface BuildContext {
  /** The tar stream to send to the engine; it fills while the engine reads it. */
  tar: Readable;
  /** Dockerfile path inside the tar, for the engine's `dockerfile` option. */
  dockerfile: string;
  /**
   * Set when a file could not be read while streaming. The engine only sees a cut-off
   * upload, so this is the error worth reporting.
   */
  readError?: BerthError;
}

/**
 * Resolve the Dockerfile (or place the generated one) and start streaming the context as a
 * tar. The Dockerfile is checked first, so a missing one fails before anything reaches the
 * engine. Aborting `signal` stops the walk and destroys the stream.
 */
export async function openBuildContext(
  contextDir: string,
  options: { dockerfile?: string; dockerfileText?: string; signal?: AbortSignal },
): Promise<BuildContext> {
  const root = await realpath(contextDir).catch(() => {
    throw invalid(`build context "${contextDir}" is not a folder`);
  });
  if (!(await stat(root)).isDirectory()) throw invalid(`build context "${contextDir}" is not a folder`);

  const generated = options.dockerfileText !== undefined;
  const dockerfile = generated ? GENERATED_DOCKERFILE : await checkDockerfile(root, options.dockerfile ?? "Dockerfile");
  const matcher = await loadDockerignore(root);
  const tar = pack();

  const walk = async () => {
    if (generated) await addEntry(tar, { name: GENERATED_DOCKERFILE, mode: 0o644 }, options.dockerfileText);
    // Docker's CLI always sends the Dockerfile and .dockerignore, even when .dockerignore lists them.
    const keep = [dockerfile, ".dockerignore"];
    const filter: TreeFilter = {
      include: (path) => keep.includes(path) || !matcher.ignores(path),
      // An excluded folder is still walked when a `!pattern` or the Dockerfile may lie below it.
      descend: (path) => matcher.hasExceptions || keep.some((kept) => kept.startsWith(`${path}/`)),
    };
    await addTree(tar, root, "", filter, options.signal);
    tar.finalize();
  };
  // tar-stream packs with streamx; HTTP clients expect a Node stream.
  const context: BuildContext = { tar: Readable.from(tar), dockerfile };
  walk().catch((error: unknown) => {
    if (!options.signal?.aborted) {
      // Paths relative to the context: the checkout's location on the server means nothing to users.
      const reason = (error instanceof Error ? error.message : String(error)).replaceAll(`${root}/`, "");
      context.readError = invalid(`could not read the build context: ${reason}`);
    }
    tar.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return context;
}

/** The Dockerfile as a path inside the context, or BerthError("invalid") when it is not there. */
async function checkDockerfile(root: string, dockerfile: string): Promise<string> {
  const name = posix.normalize(dockerfile.replaceAll("\\", "/")).replace(/^(\.\/)+/, "");
  const notFound = invalid(`Dockerfile "${dockerfile}" not found in the build context`);
  if (name.startsWith("/") || name === ".." || name.startsWith("../")) throw notFound;
  // A symlinked Dockerfile is fine as long as it resolves to a file inside the context.
  const target = await realpath(join(root, name)).catch(() => null);
  if (!target || !(target + sep).startsWith(root + sep) || target === root) throw notFound;
  if (!(await stat(target)).isFile()) throw notFound;
  return name;
}

interface Matcher {
  ignores(path: string): boolean;
  /** True when some `!pattern` may re-include a file below an excluded folder. */
  hasExceptions: boolean;
}

const DOCKERIGNORE_MAX_BYTES = 1024 * 1024;

async function loadDockerignore(root: string): Promise<Matcher> {
  const file = join(root, ".dockerignore");
  const info = await lstat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
  // Read only a plain file of sane size: a link could point at /dev/zero or outside the checkout.
  if (info && (!info.isFile() || info.size > DOCKERIGNORE_MAX_BYTES)) throw invalid(".dockerignore must be a regular file of at most 1 MiB");
  const text = info ? await readFile(file, "utf8") : "";
  const rules = dockerignore({ ignorecase: false }).add(text);
  return {
    ignores: (path) => rules.ignores(path),
    hasExceptions: text.split("\n").some((line) => line.trim().startsWith("!")),
  };
}

interface TreeFilter {
  include(path: string): boolean;
  descend(excludedDir: string): boolean;
}

async function addTree(tar: Pack, root: string, dir: string, filter: TreeFilter, signal?: AbortSignal): Promise<void> {
  const entries: Dirent[] = await readdir(join(root, dir), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    signal?.throwIfAborted();
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (path === GENERATED_DOCKERFILE) continue;
    const included = filter.include(path);
    const full = join(root, path);
    // lstat, never stat: a symlink goes into the tar as a link and is never followed.
    const info = await lstat(full);
    const header = { name: path, mode: info.mode & 0o7777, mtime: info.mtime, uid: 0, gid: 0 };
    if (info.isDirectory()) {
      if (included) await addEntry(tar, { ...header, type: "directory" });
      if (included || filter.descend(path)) await addTree(tar, root, path, filter, signal);
    } else if (!included) {
      continue;
    } else if (info.isSymbolicLink()) {
      await addEntry(tar, { ...header, type: "symlink", linkname: await readlink(full) });
    } else if (info.isFile()) {
      await addFile(tar, { ...header, size: info.size }, full);
    }
    // Sockets, FIFOs and devices have no place in an image build; Docker's CLI skips them too.
  }
}

function addEntry(tar: Pack, header: Parameters<Pack["entry"]>[0], content?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    tar.entry(header, content ?? "", (error) => (error ? reject(error) : resolve()));
  });
}

function addFile(tar: Pack, header: Parameters<Pack["entry"]>[0], file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const entry = tar.entry(header, (error) => (error ? reject(error) : resolve()));
    pipeline(createReadStream(file), entry).catch(reject);
  });
}
