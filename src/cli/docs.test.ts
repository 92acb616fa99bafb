import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, SETTING_NAMES, settingEnvVar } from "../config.ts";
import { cliReference } from "./help.ts";
import { VERBS } from "./verbs/index.ts";

const docs = (name: string) => readFileSync(join(import.meta.dir, "../../docs", name), "utf8");

describe("the docs cannot drift from the code", () => {
  test("docs/cli-reference.md is what the verb table generates (run `bun run docs` after changing a verb)", () => {
    expect(docs("cli-reference.md")).toBe(cliReference(VERBS));
  });

  test("docs/cli.md names every command", () => {
    const text = docs("cli.md");
    const missing = VERBS.filter((verb) => !text.includes(`\`${verb.name}`) && !text.includes(`\`berth ${verb.name}`)).map((v) => v.name);
    expect(missing).toEqual([]);
  });

  test("docs/configuration.md has a row per setting with its env var and default", () => {
    const text = docs("configuration.md");
    const defaults = loadConfig({ env: {} }) as Record<string, unknown>;
    const problems: string[] = [];
    for (const name of SETTING_NAMES) {
      const row = text.split("\n").find((line) => line.startsWith(`| \`${name}\` |`));
      if (!row) {
        problems.push(`${name}: no row`);
        continue;
      }
      const [, , envVar, fallback] = row.split("|").map((cell) => cell.trim());
      if (envVar !== `\`${settingEnvVar(name)}\``) problems.push(`${name}: env var cell is ${envVar}, expected \`${settingEnvVar(name)}\``);
      const value = defaults[name];
      if (!fallback) problems.push(`${name}: no default`);
      else if (typeof value === "string" && name !== "dataDir" && !fallback.includes(value)) problems.push(`${name}: default ${value} not in "${fallback}"`);
    }
    expect(problems).toEqual([]);
  });
});

describe("the berth.yaml reference", () => {
  test("docs/berth-yaml.md has a row for every key the parser accepts", async () => {
    const { blockSchema, environmentSchema, projectFileSchema, gitSchema, buildSchema } = await import("../core/project-file/schema.ts");
    const text = docs("berth-yaml.md");
    const keys = [projectFileSchema, blockSchema, environmentSchema, gitSchema, buildSchema].flatMap((schema) => Object.keys(schema.shape));
    const missing = [...new Set(keys)].filter((key) => !text.includes(`| \`${key}\` |`));
    expect(missing).toEqual([]);
  });
});
