import { VERSION } from "../version.ts";
import type { Verb } from "./verb.ts";

export const GLOBAL_HELP = ["--config FILE   settings file (YAML); BERTH_* env vars override it", "-h, --help      help for any verb"];

/** Words for flags many verbs share, so each verb's help lists them without repeating itself. */
const COMMON_FLAGS: Record<string, string> = {
  json: "print JSON for scripts",
  yes: "do not ask for confirmation (required when there is no terminal to ask on)",
  detach: "print the id and return at once",
  follow: "keep printing until it ends",
};

export const TOP_HELP = `berth ${VERSION}: from git to running websites, APIs, databases and jobs.\n\nUsage: berth COMMAND [args] [options]`;

export function usageLine(verb: Verb) {
  return `berth ${verb.name}${verb.args ? ` ${verb.args}` : ""}${verb.options ? " [options]" : ""}`;
}

/** The verb's own option lines, then a line for every option they do not mention. */
export function optionLines(verb: Verb): string[] {
  const written = verb.optionHelp ?? [];
  const mentioned = (flag: string) => written.some((line) => new RegExp(`--${flag}\\b`).test(line));
  const generated = Object.entries(verb.options ?? {})
    .filter(([flag]) => !mentioned(flag))
    .map(([flag, option]) => {
      const left = `${option.short ? `-${option.short}, ` : ""}--${flag}${option.type === "string" ? " VALUE" : ""}`;
      return `${left.padEnd(16)}  ${COMMON_FLAGS[flag] ?? ""}`.trimEnd();
    });
  return [...written, ...generated];
}

export function verbHelp(verb: Verb): string {
  const lines = [`${verb.summary}.`, "", `Usage: ${usageLine(verb)}`];
  const options = optionLines(verb);
  if (options.length) lines.push("", "Options:", ...options.map((l) => `  ${l}`));
  return lines.join("\n");
}

export function overview(verbs: Verb[], heading: string): string {
  const width = Math.max(...verbs.map((v) => v.name.length));
  return [heading, "", "Commands:", ...verbs.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`), "", "Global options:", ...GLOBAL_HELP.map((l) => `  ${l}`)].join("\n");
}

/** docs/cli-reference.md: generated from the verb table, so the reference cannot drift from the CLI. */
export function cliReference(verbs: Verb[]): string {
  const sections = verbs.map((verb) => {
    const options = optionLines(verb);
    return [`### \`berth ${verb.name}\``, "", `${verb.summary}.`, "", "```", usageLine(verb), ...(options.length ? ["", ...options] : []), "```"].join("\n");
  });
  return [
    "# CLI reference",
    "",
    "Generated from the CLI's verb table by `bun scripts/gen-docs.ts`; a test fails when it is out of date.",
    "Global options, accepted by every command:",
    "",
    "```",
    ...GLOBAL_HELP,
    "```",
    "",
    ...sections.flatMap((s) => [s, ""]),
  ].join("\n");
}
