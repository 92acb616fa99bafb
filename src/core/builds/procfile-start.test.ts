import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BerthError } from "../errors.ts";
import { parseProjectFile } from "../project-file/parse.ts";
import { procfileStart } from "./procfile-start.ts";

const dir = mkdtempSync(join(tmpdir(), "berth-procfile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the start command as the container's `sh -c` would, in a folder holding `procfile`. */
function start(process: string, procfile: string | undefined, env: Record<string, string> = {}) {
  rmSync(join(dir, "Procfile"), { force: true });
  if (procfile !== undefined) writeFileSync(join(dir, "Procfile"), procfile);
  const run = Bun.spawnSync(["sh", "-c", procfileStart(process)], { cwd: dir, env: { PATH: "/usr/bin:/bin", ...env }, stdout: "pipe", stderr: "pipe" });
  return { code: run.exitCode, out: run.stdout.toString(), err: run.stderr.toString() };
}

describe("build.process: the Procfile's command starts the container", () => {
  test("runs the named process's command with $PORT expanded, not another type's", () => {
    const run = start("web", "worker: echo worker\nweb: echo serving on $PORT\n", { PORT: "8080" });
    expect(run).toEqual({ code: 0, out: "serving on 8080\n", err: "" });
  });

  test("a later line for the same type wins, and CRLF line ends are read", () => {
    expect(start("web", "web: echo old\r\nweb: echo new\r\n").out).toBe("new\n");
  });

  test("a missing process or Procfile fails at start with one line naming it", () => {
    expect(start("clock", "web: echo hi\n")).toEqual({ code: 1, out: "", err: 'Procfile has no "clock" process\n' });
    expect(start("web", undefined).err).toBe('Procfile has no "web" process\n');
  });

  test("a type is never a prefix of another: `web` does not run `webhook`", () => {
    expect(start("web", "webhook: echo hook\n").code).toBe(1);
  });

  test("only plain process type names reach the script", () => {
    expect(() => procfileStart("web/; rm -rf /")).toThrow("not a Procfile process type");
  });
});

describe("build.process in berth.yaml", () => {
  const file = (build: string) => `project: shop\nblocks:\n  web:\n    kind: website\n    git: { url: "https://git.example.com/shop.git" }\n    build: ${build}\n    port: 8080\n`;
  const issues = (build: string) => {
    try {
      parseProjectFile(file(build));
      return [];
    } catch (error) {
      return (error as BerthError).issues.map((i) => `${i.path}: ${i.message}`);
    }
  };

  test("is accepted with a preset and kept as written", () => {
    expect(parseProjectFile(file("{ preset: python, process: web }")).blocks.web!.build).toEqual({ preset: "python", process: "web" });
  });

  test("needs a preset, and replaces `start`", () => {
    expect(issues("{ dockerfile: Dockerfile, process: web }")).toEqual(["blocks.web.build.process: `process` needs a `preset` (with a Dockerfile, set the block's `command`)"]);
    expect(issues("{ preset: node, process: web, start: npm start }")).toEqual(["blocks.web.build.process: `process` chooses the start command: drop `start` and `output`"]);
    expect(issues('{ preset: node, process: "web; rm" }')).toEqual(["blocks.web.build.process: must be a Procfile process type such as web"]);
  });
});
