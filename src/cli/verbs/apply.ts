import { readFileSync, statSync } from "node:fs";
import { unwrap } from "../../client/index.ts";
import { formatChange } from "../../core/project-file/diff.ts";
import { MAX_FILE_BYTES } from "../../core/project-file/parse.ts";
import { json } from "../output.ts";
import { UsageError, type Verb } from "../verb.ts";

/** The file's text, refusing an oversized one before reading or sending it. */
function readProjectFile(path: string): string {
  if (path === "-") return readFileSync(0, "utf8");
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new UsageError(`${path}: no such file`);
  }
  if (size > MAX_FILE_BYTES) throw new Error(`${path} is ${(size / 1024 / 1024).toFixed(1)} MB; the limit is 1 MB`);
  return readFileSync(path, "utf8");
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
