import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { BerthError, invalid, type FieldIssue } from "../errors.ts";
import { crossFieldIssues } from "./kind-rules.ts";
import { projectFileSchema, type ProjectFile } from "./schema.ts";

/** A project file larger than this is refused before parsing. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Bounds alias expansion, so an anchors bomb is refused instead of eating memory. */
const MAX_ALIAS_COUNT = 100;

function pathOf(path: readonly PropertyKey[]): string {
  return path.map(String).join(".") || "(file)";
}

/** zod issues as one line per problem; an unknown-keys issue becomes one line per key. */
export function toFieldIssues(issues: readonly z.core.$ZodIssue[]): FieldIssue[] {
  return issues.flatMap((iss) => {
    if (iss.code === "unrecognized_keys") {
      const messages = iss.message.split("\n");
      return iss.keys.map((key, i) => ({ path: pathOf([...iss.path, key]), message: messages[i] ?? "unknown key" }));
    }
    if (iss.code === "invalid_key") return [{ path: pathOf(iss.path), message: `bad name: ${iss.issues[0]?.message ?? iss.message}` }];
    if (iss.code === "invalid_type" && iss.message.endsWith("received undefined")) return [{ path: pathOf(iss.path), message: "is required" }];
    return [{ path: pathOf(iss.path), message: iss.message }];
  });
}

function parseYaml(text: string): unknown {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter: lines });
  if (doc.errors.length > 0) {
    throw invalid(
      "berth.yaml is not valid YAML",
      doc.errors.map((e) => ({ path: `line ${lines.linePos(e.pos[0]).line}`, message: e.message.split("\n")[0]! })),
    );
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw invalid("berth.yaml is not valid YAML", [{ path: "(file)", message: (error as Error).message.split("\n")[0]! }]);
  }
}

/** Parse and validate a project file, reporting every problem at once. Pure: writes nothing. */
export function parseProjectFile(text: string): ProjectFile {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_FILE_BYTES) {
    throw new BerthError("too_large", `berth.yaml is ${(bytes / 1024 / 1024).toFixed(1)} MB; the limit is 1 MB`);
  }
  const raw = parseYaml(text);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw invalid("berth.yaml must be a mapping with `project` and `blocks`", [{ path: "(file)", message: "expected a mapping" }]);
  }
  const result = projectFileSchema.safeParse(raw);
  if (!result.success) throw invalid("berth.yaml has errors", toFieldIssues(result.error.issues));
  const file: ProjectFile = {
    project: result.data.project,
    blocks: result.data.blocks,
    environments: result.data.environments ?? { dev: {} },
  };
  const issues = crossFieldIssues(file);
  if (issues.length > 0) throw invalid("berth.yaml has errors", issues);
  return file;
}
