import { closeSync, openSync, readSync, statSync, type Stats } from "node:fs";
import { unwrap } from "../../client/index.ts";
import { formatChange } from "../../core/project-file/diff.ts";
import { MAX_FILE_BYTES } from "../../core/project-file/parse.ts";
import { json } from "../output.ts";
import { UsageError, type Verb } from "../verb.ts";

const LIMIT = `${MAX_FILE_BYTES / 1024 / 1024} MB`;

/** At most the limit and one byte more from a stream, so endless input (a pipe, /dev/zero) cannot fill memory. */
function readCapped(fd: number, name: string): string {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.alloc(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EAGAIN") continue;
      if ((error as NodeJS.ErrnoException).code === "EOF") break;
      throw error;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(chunk.subarray(0, n)));
    total += n;
    if (total > MAX_FILE_BYTES) throw new Error(`${name} is larger than ${LIMIT}, the limit for a project file`);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The file's text, refusing a folder, a missing file or an oversized one before reading or sending it. */
function readProjectFile(path: string): string {
  if (path === "-") return readCapped(0, "stdin");
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch {
    throw new UsageError(`${path}: no such file`);
  }
  if (stat.isDirectory()) throw new Error(`${path} is a directory, not a project file`);
  if (stat.size > MAX_FILE_BYTES) throw new Error(`${path} is ${(stat.size / 1024 / 1024).toFixed(1)} MB; the limit is ${LIMIT}`);
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw new Error(`${path} cannot be read: ${(error as NodeJS.ErrnoException).code === "EACCES" ? "permission denied" : (error as Error).message}`);
  }
  try {
    return readCapped(fd, path);
  } finally {
    closeSync(fd);
  }
}

export const apply: Verb = {
  name: "apply",
  summary: "Create or update a project from berth.yaml and print what changed",
  options: { file: { type: "string", short: "f" }, "dry-run": { type: "boolean" }, prune: { type: "boolean" }, json: { type: "boolean" } },
  optionHelp: [
    "-f, --file FILE   the project file (- for stdin)",
    "--dry-run         show what would change, change nothing",
    "--prune           delete environments that are no longer in the file",
    "--json            print the plan as JSON",
  ],
  async run({ values, client, out }) {
    const path = values.file as string | undefined;
    if (!path) throw new UsageError("-f FILE is required");
    const file = readProjectFile(path);
    const dryRun = Boolean(values["dry-run"]);
    const result = await unwrap((await client()).projects.apply.$post({ json: { file, dryRun, prune: Boolean(values.prune) } }));
    if (values.json) return out(json(result));
    if (result.changes.length === 0) return out(`project ${result.project}: no changes`);
    for (const change of result.changes) out(formatChange(change));
    out(dryRun ? `project ${result.project}: ${result.changes.length} change(s) (dry run, nothing applied)` : `project ${result.project}: applied ${result.changes.length} change(s)`);
  },
};

export const exportVerb: Verb = {
  name: "export",
  summary: "Print a project as berth.yaml",
  args: "PROJECT",
  async run({ args, client, out }) {
    const { yaml } = await unwrap((await client()).projects[":project"].export.$get({ param: { project: args[0]! } }));
    out(yaml.trimEnd());
  },
};
