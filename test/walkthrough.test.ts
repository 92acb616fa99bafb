import { afterAll, beforeAll, expect, test } from "bun:test";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY, startServe } from "./support/binary.ts";
import { loadTestEnv } from "./support/test-env.ts";
import { docker } from "./support/sh.ts";

// Runs docs/walkthrough.md as written: every line of its ```sh walkthrough blocks, argv split
// (no shell), against the compiled binary and the real engine. The subset of shell syntax is
// the one the page documents: words, quotes, a backslash before a character, one `> FILE` at
// the end, and a trailing `# prints: TEXT` that the command's stdout must contain.
// The Docker engine is shared with other runs and tests, several of which use a project called
// `todo`: so the word `todo` becomes a name of this run's own, in the commands and in the copy
// of the example (its folder, its berth.yaml), and nothing else changes.

const ROOT = join(import.meta.dir, "..");
const DOC = join(ROOT, "docs/walkthrough.md");
const PROJECT = `todo-${crypto.randomUUID().slice(0, 6)}`;
const rename = (text: string) => text.replace(/\btodo\b/g, PROJECT);
/** Where the walkthrough puts the example's repository, renamed like the rest. */
const REPO = rename("/tmp/berth-todo");
const DEFAULT_EDGE = "127.0.0.1:8080";

interface Step {
  line: string;
  argv: string[];
  stdoutFile?: string;
  prints?: string;
}

/** The lines of the fenced blocks whose info string is `sh walkthrough`. */
export function walkthroughLines(markdown: string): string[] {
  const lines: string[] = [];
  let inside = false;
  for (const line of markdown.split("\n")) {
    if (/^```/.test(line)) {
      inside = !inside && /^```sh\s+walkthrough\s*$/.test(line);
      continue;
    }
    if (inside && line.trim() && !line.trim().startsWith("#")) lines.push(line.trim());
  }
  return lines;
}

/** One line in the documented subset, or an error naming what is outside it. */
export function parseStep(line: string): Step {
  const words: string[] = [];
  let word: string | undefined;
  let quote: "'" | '"' | undefined;
  let comment: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (quote === '"' && /[$`\\]/.test(c)) throw new Error(`${line}: ${c} inside double quotes is not in the walkthrough's subset`);
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= "";
    } else if (c === "\\") {
      word = (word ?? "") + (line[++i] ?? "");
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "#" && word === undefined) {
      comment = line.slice(i + 1).trim();
      break;
    } else if (/[$|;&<`()*?]/.test(c)) {
      throw new Error(`${line}: ${c} is not in the walkthrough's subset`);
    } else {
      word = (word ?? "") + c;
    }
  }
  if (quote) throw new Error(`${line}: unclosed quote`);
  if (word !== undefined) words.push(word);
  const step: Step = { line, argv: words };
  const redirect = words.indexOf(">");
  if (redirect !== -1) {
    if (redirect !== words.length - 2) throw new Error(`${line}: only one \`> FILE\` at the end is in the subset`);
    step.stdoutFile = words[redirect + 1];
    step.argv = words.slice(0, redirect);
  }
  if (step.argv.some((w) => w.includes(">"))) throw new Error(`${line}: '>' inside a word is not in the subset`);
  if (comment?.startsWith("prints:")) step.prints = comment.slice("prints:".length).trim();
  return step;
}


const storeContainer = () => docker(["ps", "-q", "--no-trunc", "--filter", `label=berth.project=${PROJECT}`, "--filter", "label=berth.block=store"]).out;

/** Only what the walkthrough itself makes: its project's containers, network, volume and images. */
function removeWalkthroughObjects() {
  const ids = docker(["ps", "-aq", "--filter", `label=berth.project=${PROJECT}`]).out.split("\n").filter(Boolean);
  if (ids.length) docker(["rm", "-f", ...ids]);
  docker(["network", "rm", `berth-${PROJECT}-dev`]);
  docker(["volume", "rm", `berth-${PROJECT}-dev-store-data`]);
  const images = docker(["images", "-q", "--filter", `reference=berth/${PROJECT}/*`]).out.split("\n").filter(Boolean);
  if (images.length) docker(["rmi", "-f", ...new Set(images)]);
  rmSync(REPO, { recursive: true, force: true });
}

const testEnv = loadTestEnv();
let server: Awaited<ReturnType<typeof startServe>>;
let workdir: string;

beforeAll(async () => {
  removeWalkthroughObjects();
  // The preset images of the file (python:3.12-slim, busybox:1.36) cannot be pulled here: local ones stand in.
  server = await startServe([], { presetImages: { python: testEnv.images.python, static: testEnv.images.busybox } });
  workdir = mkdtempSync(join(tmpdir(), "berth-walkthrough-"));
  cpSync(join(ROOT, "examples/todo"), join(workdir, rename("examples/todo")), { recursive: true });
  const projectFile = join(workdir, rename("examples/todo/berth.yaml"));
  writeFileSync(projectFile, rename(readFileSync(projectFile, "utf8")));
}, 60_000);

afterAll(async () => {
  await server?.stop();
  const edgePid = Number(readFileSync(join(server.dataDir, "edge.pid"), "utf8"));
  if (edgePid) process.kill(edgePid, "SIGTERM");
  removeWalkthroughObjects();
  rmSync(workdir, { recursive: true, force: true });
});

test("the walkthrough's lines are all in the documented subset", () => {
  const lines = walkthroughLines(readFileSync(DOC, "utf8"));
  expect(lines.length).toBeGreaterThan(10);
  for (const line of lines) expect(() => parseStep(line)).not.toThrow();
  expect(() => parseStep("echo $HOME")).toThrow("$ is not in the walkthrough's subset");
  expect(parseStep(`curl -s -w '%{x}\\n' -d @a.json "a b" > out.txt   # prints: 401`)).toEqual({
    line: `curl -s -w '%{x}\\n' -d @a.json "a b" > out.txt   # prints: 401`,
    argv: ["curl", "-s", "-w", "%{x}\\n", "-d", "@a.json", "a b"],
    stdoutFile: "out.txt",
    prints: "401",
  });
});

/** What `berth serve` wrote to stderr (startServe keeps it in files in the test's home). */
const serveErrors = () =>
  readdirSync(server.home)
    .filter((name) => /^serve-\d+\.err\.log$/.test(name))
    .sort()
    .map((name) => readFileSync(join(server.home, name), "utf8"))
    .join("")
    .trim();

test("docs/walkthrough.md runs as written: the site, the gateway with and without a token, and the store's volume across a redeploy", async () => {
  const steps = walkthroughLines(readFileSync(DOC, "utf8")).map(parseStep);
  const edge = server.env.BERTH_EDGE_LISTEN;
  const storeAfterDeploy: string[] = [];
  for (const step of steps) {
    const [program, ...args] = step.argv.map((w) => rename(w.replaceAll(DEFAULT_EDGE, edge)));
    const argv = program === "berth" ? [BINARY, ...args] : [program!, ...args];
    const proc = Bun.spawn(argv, { cwd: workdir, env: { ...server.env, LANG: "C.UTF-8" }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    if (code !== 0) {
      const serverGone = server.proc.exitCode !== null ? ` (berth serve exited ${server.proc.exitCode}: ${serveErrors().split("\n").slice(-5).join(" | ")})` : "";
      throw new Error(`\`${step.line}\` exited ${code}: ${stderr.trim() || stdout.trim()}${serverGone}`);
    }
    if (step.stdoutFile) await Bun.write(join(workdir, step.stdoutFile), stdout);
    if (step.prints !== undefined && !stdout.includes(step.prints)) {
      throw new Error(`\`${step.line}\` should print ${JSON.stringify(step.prints)}, printed: ${stdout.trim()}`);
    }
    if (program === "berth" && args[0] === "deploy") storeAfterDeploy.push(storeContainer());
  }
  // Checked apart from the page's own `prints:` so a loosened page cannot pass them by accident.
  const viaEdge = (host: string, path: string, headers: Record<string, string> = {}) => fetch(`http://${edge}${path}`, { headers: { Host: host, ...headers } });
  const site = await viaEdge(`web.dev.${PROJECT}.localhost`, "/");
  expect(site.status).toBe(200);
  expect(await site.text()).toContain("<h1>Todo</h1>");
  expect((await viaEdge(`gateway.dev.${PROJECT}.localhost`, "/api/todos")).status).toBe(401);
  const authLine = readFileSync(join(workdir, "auth.txt"), "utf8").trim();
  expect(authLine).toMatch(/^Authorization: Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  const list = await viaEdge(`gateway.dev.${PROJECT}.localhost`, "/api/todos", { Authorization: authLine.slice("Authorization: ".length) });
  expect(list.status).toBe(200);
  expect(await list.json()).toEqual([{ id: 1, title: "buy milk" }]);
  // The second deploy replaced the store's container; the list came back from the volume.
  expect(storeAfterDeploy).toHaveLength(2);
  expect(storeAfterDeploy[0]).toMatch(/^[0-9a-f]{64}$/);
  expect(storeAfterDeploy[1]).toMatch(/^[0-9a-f]{64}$/);
  expect(storeAfterDeploy[1]).not.toBe(storeAfterDeploy[0]);
  expect(docker(["exec", storeAfterDeploy[1]!, "cat", "/data/todos.json"]).out).toBe('[{"id": 1, "title": "buy milk"}]');
  expect(existsSync(REPO)).toBe(true);
}, 600_000);
