import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { diffProject, formatChange } from "./diff.ts";
import { exportProjectFile } from "./export.ts";
import { parseProjectFile } from "./parse.ts";

const example = readFileSync(join(import.meta.dir, "../../../test/fixtures/example.berth.yaml"), "utf8");

describe("apply plans", () => {
  test("a new project lists every block, environment and override", () => {
    const lines = diffProject(null, parseProjectFile(example)).map(formatChange);
    expect(lines).toEqual([
      "+ project todo",
      "+ block web", "+ block api", "+ block db", "+ block static-site", "+ block nightly",
      "+ environment dev", "+ environment prod",
      "+ prod/web", "+ prod/api",
    ]);
  });

  test("the same file again changes nothing", () => {
    expect(diffProject(parseProjectFile(example), parseProjectFile(example))).toEqual([]);
  });

  test("changes name the fields, and env vars by name only, never their values", () => {
    const before = parseProjectFile(example);
    const after = parseProjectFile(
      example.replace("port: 8000", "port: 8001").replace("LOG_LEVEL: info", "LOG_LEVEL: debug, TOKEN: s3cr3t-value").replace(/  nightly:[\s\S]*?timeout: 10m\n/, ""),
    );
    const lines = diffProject(before, after).map(formatChange);
    expect(lines).toEqual(["~ block api: port", "- block nightly", "~ prod/api: env.LOG_LEVEL, env.TOKEN"]);
    expect(lines.join("\n")).not.toContain("s3cr3t");
    expect(lines.join("\n")).not.toContain("debug");
  });

  test("an environment dropped from the file is a removal, with its overrides", () => {
    const before = parseProjectFile(example);
    const after = parseProjectFile(example.replace(/  prod:[\s\S]*$/, ""));
    expect(diffProject(before, after).map(formatChange)).toEqual(["- environment prod", "- prod/web", "- prod/api"]);
  });

  test("an export parses back to the same project", () => {
    const file = parseProjectFile(example);
    const again = parseProjectFile(exportProjectFile(file));
    expect(again).toEqual(file);
    expect(diffProject(file, again)).toEqual([]);
  });

  test("the export writes keys in the documented order", () => {
    const text = exportProjectFile(parseProjectFile(example));
    expect(text.indexOf("project: todo")).toBe(0);
    expect(text.indexOf("  web:\n    kind: website\n    git:")).toBeGreaterThan(0);
  });
});
