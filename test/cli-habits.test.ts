import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY, berth, freePort, startServe } from "./support/binary.ts";

const EXAMPLE = join(import.meta.dir, "fixtures/example.berth.yaml");
let server: Awaited<ReturnType<typeof startServe>>;
let elsewhere: string;

beforeAll(async () => {
  server = await startServe();
  elsewhere = mkdtempSync(join(tmpdir(), "berth-elsewhere-"));
  expect((await server.run(["apply", "-f", EXAMPLE])).code).toBe(0);
});
afterAll(async () => {
  await server.stop();
  rmSync(elsewhere, { recursive: true, force: true });
});

/** The CLI of the same user with none of the server's settings: another data dir, the default API address. */
const sameUserElsewhere = () => ({ PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: server.home, BERTH_DATA_DIR: elsewhere });

describe("the CLI as people use it (compiled binary)", () => {
  test("the CLI finds the server berth serve recorded, whatever data dir its own settings name", async () => {
    const result = await berth(["project", "list", "--json"], sameUserElsewhere());
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout).map((p: { name: string }) => p.name)).toContain("todo");
  });

  test("an unreachable API names the URL tried and the setting it came from", async () => {
    const url = `http://127.0.0.1:${freePort()}`;
    const result = await berth(["project", "list"], { PATH: process.env.PATH ?? "", HOME: server.home, BERTH_URL: url, BERTH_TOKEN: "berth_x" });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`error: cannot reach the Berth API at ${url} (BERTH_URL); is \`berth serve\` running there?`);
  });

  test("verbs naming an unknown project or environment exit 1 with the error", async () => {
    const builds = await server.run(["builds", "ghost"]);
    expect([builds.code, builds.stderr.trim()]).toEqual([1, 'error: project "ghost" not found']);
    const releases = await server.run(["releases", "todo", "nowhere"]);
    expect([releases.code, releases.stderr.trim()]).toEqual([1, 'error: environment "nowhere" in project "todo" not found']);
  });

  test("colour on a terminal, none with NO_COLOR, none when piped", async () => {
    const onTerminal = (extra: Record<string, string>) => {
      // `script` gives the binary a pseudo-terminal; the command line is fixed test text.
      const command = `${BINARY} status todo dev`;
      const result = Bun.spawnSync(["script", "-qec", command, "/dev/null"], { env: { ...server.env, TERM: "xterm", ...extra }, stdout: "pipe" });
      return result.stdout.toString();
    };
    expect(onTerminal({})).toContain("\x1b[");
    expect(onTerminal({ NO_COLOR: "1" })).not.toContain("\x1b[");
    const piped = await server.run(["status", "todo", "dev"]);
    expect(piped.stdout).toContain("stopped");
    expect(piped.stdout).not.toContain("\x1b[");
  });

  test("env delete and project delete need --yes without a terminal, and nothing is deleted before", async () => {
    const refused = await server.run(["project", "delete", "todo"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("pass --yes to confirm");
    expect((await server.run(["project", "show", "todo"])).code).toBe(0);
    const deleted = await server.run(["project", "delete", "todo", "--yes"]);
    expect([deleted.code, deleted.stdout.trim()]).toEqual([0, "deleted project todo"]);
    expect((await server.run(["project", "show", "todo"])).code).toBe(1);
  });
});
