import { afterAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { extract } from "tar-stream";
import { BerthError } from "../../core/errors.ts";
import { expectBerthError } from "../../../test/support/errors.ts";
import { GENERATED_DOCKERFILE, openBuildContext } from "./build-context.ts";
import { type ContextFiles, writeContextDir } from "./context-files.testing.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A context folder with these files, removed after the file's tests. */
function context(files: ContextFiles): string {
  const dir = writeContextDir(files);
  dirs.push(dir);
  return dir;
}

interface TarEntry {
  type: string;
  linkname?: string;
  content: string;
}

async function readTar(tar: Readable): Promise<Map<string, TarEntry>> {
  const entries = new Map<string, TarEntry>();
  const reader = extract();
  tar.on("error", (error) => reader.destroy(error));
  tar.pipe(reader);
  for await (const entry of reader) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    const { name, type, linkname } = entry.header;
    entries.set(name, { type: type ?? "file", ...(linkname ? { linkname } : {}), content: Buffer.concat(chunks).toString() });
  }
  return entries;
}

async function files(dir: string, options: Parameters<typeof openBuildContext>[1] = {}): Promise<string[]> {
  const tar = await readTar((await openBuildContext(dir, options)).tar);
  return [...tar].filter(([, entry]) => entry.type === "file").map(([name]) => name);
}

const refusal = (promise: Promise<unknown>): Promise<BerthError> => expectBerthError(promise);

describe("build context", () => {
  test("sends every file and folder, in a stable order, with contents", async () => {
    const dir = context({ Dockerfile: "FROM x\n", "src/b.js": "b", "src/a.js": "a" });
    const tar = await readTar((await openBuildContext(dir, {})).tar);
    expect([...tar.keys()]).toEqual(["Dockerfile", "src", "src/a.js", "src/b.js"]);
    expect(tar.get("src")!.type).toBe("directory");
    expect(tar.get("src/a.js")!.content).toBe("a");
  });

  test(".dockerignore: patterns, ** and ! exceptions follow Docker's rules", async () => {
    const dir = context({
      Dockerfile: "FROM x\n",
      ".dockerignore": "# comment\n*.log\n**/*.tmp\nsecrets\nnode_modules\n!node_modules/keep.js\n/build/**\n",
      "a.log": "",
      "sub/a.log": "",
      "deep/x/y.tmp": "",
      "secrets/key": "",
      "node_modules/drop.js": "",
      "node_modules/keep.js": "",
      "build/out.js": "",
      "index.js": "",
    });
    expect((await files(dir)).sort()).toEqual([".dockerignore", "Dockerfile", "index.js", "node_modules/keep.js", "sub/a.log"]);
  });

  test("the Dockerfile and .dockerignore are sent even when ignored, like Docker's CLI does", async () => {
    const dir = context({ "docker/app.Dockerfile": "FROM x\n", ".dockerignore": "docker\n.dockerignore\n", "docker/other": "" });
    expect(await files(dir, { dockerfile: "./docker/app.Dockerfile" })).toEqual([".dockerignore", "docker/app.Dockerfile"]);
  });

  test("symlinks go in as links and are never followed, even when they point outside", async () => {
    const dir = context({ Dockerfile: "FROM x\n", "passwd": { link: "/etc/passwd" }, "up": { link: "../.." } });
    const tar = await readTar((await openBuildContext(dir, {})).tar);
    expect(tar.get("passwd")).toEqual({ type: "symlink", linkname: "/etc/passwd", content: "" });
    expect(tar.get("up")).toEqual({ type: "symlink", linkname: "../..", content: "" });
    expect([...tar.keys()].some((name) => name.startsWith("up/"))).toBe(false);
  });

  test("a generated Dockerfile is added under its own name and replaces a context file of that name", async () => {
    const dir = context({ [GENERATED_DOCKERFILE]: "FROM evil\n", "app.py": "" });
    const built = await openBuildContext(dir, { dockerfileText: "FROM python\n" });
    expect(built.dockerfile).toBe(GENERATED_DOCKERFILE);
    const tar = await readTar(built.tar);
    expect([...tar.keys()]).toEqual([GENERATED_DOCKERFILE, "app.py"]);
    expect(tar.get(GENERATED_DOCKERFILE)!.content).toBe("FROM python\n");
  });

  test("a missing Dockerfile is refused before anything is sent", async () => {
    const dir = context({ "app.py": "", "sub/Dockerfile": "FROM x\n", "linked": { link: "/etc/hostname" } });
    for (const dockerfile of [undefined, "web/Dockerfile", "../Dockerfile", "/etc/hostname", "sub", "linked"]) {
      const error = await refusal(openBuildContext(dir, { dockerfile }));
      expect(error.code).toBe("invalid");
      expect(error.message).toBe(`Dockerfile "${dockerfile ?? "Dockerfile"}" not found in the build context`);
    }
  });

  test("a .dockerignore that is a link or a device is refused, never read", async () => {
    const dir = context({ Dockerfile: "FROM x\n", ".dockerignore": { link: "/dev/zero" } });
    expect((await refusal(openBuildContext(dir, {}))).message).toBe(".dockerignore must be a regular file of at most 1 MiB");
  });

  test("a missing context folder is refused", async () => {
    const error = await refusal(openBuildContext(join(tmpdir(), "berth-no-such-context"), {}));
    expect(error.message).toStartWith("build context ");
  });

  test("aborting stops the stream with an error", async () => {
    const many = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`f${i}`, "x".repeat(10_000)]));
    const dir = context({ Dockerfile: "FROM x\n", ...many });
    const stop = new AbortController();
    const built = await openBuildContext(dir, { signal: stop.signal });
    stop.abort(new Error("stop now"));
    await expect(readTar(built.tar)).rejects.toThrow("stop now");
  });

  test("a file that cannot be read is reported as a context error, not as an engine failure", async () => {
    const many = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`f${String(i).padStart(3, "0")}`, "x".repeat(10_000)]));
    const dir = context({ Dockerfile: "FROM x\n", ...many });
    const built = await openBuildContext(dir, {});
    // Nobody reads yet, so the walk waits on back-pressure after the first few files.
    await Bun.sleep(50);
    rmSync(join(dir, "f150"));
    await expect(readTar(built.tar)).rejects.toThrow("f150");
    expect(built.readError?.code).toBe("invalid");
    expect(built.readError?.message).toBe("could not read the build context: ENOENT: no such file or directory, lstat 'f150'");
  });
});
