import { afterAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { expectBerthError } from "../../../test/support/errors.ts";
import { baseGitEnv } from "./git-env.ts";
import { createGitSource } from "./git-source.ts";
import { tempDir } from "./local-repo.testing.ts";
import { eventually, silentServer, visibleCommandLines } from "./process-scan.testing.ts";
import { GitTimeoutError, spawnGit, subcommand } from "./run-git.ts";

const cacheDir = tempDir();
const server = silentServer();
afterAll(() => {
  server.stop();
  rmSync(cacheDir, { recursive: true, force: true });
});

test("output, exit code and the given environment only", async () => {
  const out = await spawnGit({ args: ["var", "GIT_EDITOR"], env: { ...baseGitEnv(), EDITOR: "berth-editor" }, timeoutMs: 10_000 });
  expect(out).toEqual({ exitCode: 0, stdout: "berth-editor\n", stderr: "" });
  const failed = await spawnGit({ args: ["rev-parse", "--git-dir"], env: baseGitEnv(), timeoutMs: 10_000, cwd: "/" });
  expect(failed.exitCode).toBe(128);
  expect(failed.stderr).toContain("not a git repository");
});

test("a timeout stops git and everything it started", async () => {
  // The sleep outlasts any test timeout: only the 0.5 s timeout can end this run, and the
  // error says it did. No wall-clock bound: on a loaded machine the kill may take a while.
  const marker = `${1000 + Math.floor(Math.random() * 1000)}.25`;
  const run = spawnGit({ args: ["-c", `alias.wait=!sleep ${marker}`, "wait"], env: baseGitEnv(), timeoutMs: 500 });
  await eventually(() => visibleCommandLines().some((line) => line.includes(`sleep ${marker}`)), 10_000);
  const error = await run.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(GitTimeoutError);
  expect((error as Error).message).toBe("git wait timed out after 0.5s");
  await eventually(() => !visibleCommandLines().some((line) => line.includes(`sleep ${marker}`)), 10_000);
});

test("a server that accepts and never answers: one line, and the connection is dropped", async () => {
  const source = createGitSource({ cacheDir, knownHostsFile: join(cacheDir, "known_hosts"), timeoutMs: 1000 });
  const url = `http://127.0.0.1:${server.port}/x.git`;
  const started = Date.now();
  const error = await expectBerthError(source.resolve({ url }), "unavailable");
  expect(error.message).toBe(`cannot reach ${url}: git fetch timed out after 1s`);
  expect(Date.now() - started).toBeLessThan(4000);
  // git-remote-http held the socket; it was stopped with git, so the server sees it close.
  await eventually(() => server.openConnections() === 0);
  // Killed with git's process group; the kernel may list it a moment longer while it exits.
  await eventually(() => !visibleCommandLines().some((line) => line.includes(url)), 5_000);
});

test("the subcommand named in messages skips global options", () => {
  expect(subcommand(["-c", "a=b", "--git-dir=/x", "fetch", "--", "url"])).toBe("fetch");
  expect(subcommand(["-C", "/dir", "ls-remote"])).toBe("ls-remote");
});
