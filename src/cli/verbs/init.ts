import { closeSync, existsSync, lstatSync, openSync, readdirSync, readSync, renameSync, statSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { hostEnv } from "../../config.ts";
import { detectProject, INIT_FILES, MAX_INIT_FILE_BYTES, PRESENCE_ONLY, toLabel, type Decision, type GitFacts } from "../../core/init/index.ts";
import { parseProjectFile } from "../../core/project-file/parse.ts";
import { UsageError, type Verb } from "../verb.ts";

/** Names listed at the top of the folder, enough to tell app.py from main.py in any real repository. */
const MAX_ENTRIES = 5000;

/** The known files that exist as regular files: contents up to the cap, binary lockfiles by presence. */
function readKnownFiles(dir: string): { files: Record<string, string>; oversized: string[] } {
  const files: Record<string, string> = {};
  const oversized: string[] = [];
  for (const name of INIT_FILES) {
    const path = join(dir, name);
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      continue;
    }
    // Only regular files: a symlink or a device named like a known file is not read.
    if (!stat.isFile()) continue;
    if ((PRESENCE_ONLY as readonly string[]).includes(name)) files[name] = "";
    else if (stat.size > MAX_INIT_FILE_BYTES) oversized.push(name);
    else files[name] = readCapped(path);
  }
  return { files, oversized };
}

function readCapped(path: string): string {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(MAX_INIT_FILE_BYTES);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

function listEntries(dir: string): string[] {
  const entries: string[] = [];
  for (const name of readdirSync(dir)) {
    if (entries.length >= MAX_ENTRIES) break;
    entries.push(name);
  }
  return entries;
}

/** One git query by argv, never a shell; undefined when git fails or is missing. */
function git(dir: string, args: string[]): string | undefined {
  try {
    const result = Bun.spawnSync(["git", "-C", dir, ...args], {
      env: { ...hostEnv(), GIT_TERMINAL_PROMPT: "0" },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    return result.exitCode === 0 ? result.stdout.toString().trim() : undefined;
  } catch {
    return undefined;
  }
}

function gitFacts(dir: string): GitFacts {
  if (git(dir, ["rev-parse", "--is-inside-work-tree"]) !== "true") return { checkout: false };
  return {
    checkout: true,
    origin: git(dir, ["remote", "get-url", "origin"]) || undefined,
    branch: git(dir, ["symbolic-ref", "--quiet", "--short", "HEAD"]) || undefined,
    prefix: git(dir, ["rev-parse", "--show-prefix"]) ?? "",
    topLevel: git(dir, ["rev-parse", "--show-toplevel"]) || undefined,
  };
}

const formatDecision = (d: Decision) => `${d.todo ? "! " : "  "}${d.subject}: ${d.choice} — ${d.why}`;

/** A path as the user can type it: relative below the working folder, absolute elsewhere. */
function shown(path: string): string {
  const rel = relative(".", path);
  return rel && !rel.startsWith("..") ? rel : path;
}

/** Written beside, then renamed over: a reader never sees half a file. */
function writeWhole(path: string, text: string, force: boolean) {
  if (!force) {
    writeFileSync(path, text, { flag: "wx" });
    return;
  }
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { flag: "wx" });
  renameSync(temp, path);
}

export const init: Verb = {
  name: "init",
  summary: "Write a berth.yaml for a repository folder from its Dockerfile, Procfile, app.json or language files",
  args: "[DIR]",
  minArgs: 0,
  variadic: true,
  options: { name: { type: "string" }, "dry-run": { type: "boolean" }, force: { type: "boolean" } },
  optionHelp: [
    "--name NAME   the project's name (default: app.json's name, else the folder's)",
    "--dry-run     print the file and the decisions, write nothing",
    "--force       replace an existing berth.yaml",
  ],
  async run({ args, values, out, err }) {
    if (args.length > 1) throw new UsageError(`expected at most one folder, got ${args.join(" ")}`);
    const name = values.name as string | undefined;
    if (name !== undefined && !toLabel(name)) throw new UsageError(`--name ${JSON.stringify(name)}: a project name needs letters or digits (it becomes a DNS label)`);
    const dir = resolve(args[0] ?? ".");
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${args[0] ?? "."}: not a folder`);
    const target = join(dir, "berth.yaml");
    const dryRun = Boolean(values["dry-run"]);
    if (!dryRun && !values.force && existsSync(target)) {
      throw new Error(`${shown(target)} already exists; --force replaces it, --dry-run shows what would be written`);
    }

    const { files, oversized } = readKnownFiles(dir);
    const result = detectProject({
      dirName: basename(dir),
      name,
      files,
      entries: listEntries(dir),
      oversized,
      git: gitFacts(dir),
    });
    // The generated file goes through the same parser as `berth apply`; a failure here is a bug.
    parseProjectFile(result.yaml);

    const say = dryRun ? err : out;
    say(`Decisions for project ${result.project} (! = to fill in):`);
    for (const decision of result.decisions) say(formatDecision(decision));
    if (dryRun) return out(result.yaml.trimEnd());

    writeWhole(target, result.yaml, Boolean(values.force));
    const todos = result.decisions.filter((d) => d.todo).length;
    out("");
    out(`wrote ${shown(target)}${todos > 0 ? ` (${todos} thing(s) to fill in, listed at its top)` : ""}`);
    out(`next: berth apply -f ${shown(target)} && berth deploy ${result.project} dev --wait`);
  },
};
