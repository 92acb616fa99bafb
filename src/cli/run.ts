import { parseArgs } from "node:util";
import { ApiError } from "../client/index.ts";
import { ConfigError } from "../config.ts";
import { VERSION } from "../version.ts";
import { connect } from "./connect.ts";
import { UsageError, type Verb } from "./verb.ts";
import { VERBS } from "./verbs/index.ts";

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

const GLOBAL_HELP = ["--config FILE   settings file (YAML); BERTH_* env vars override it", "-h, --help      help for any verb"];

function usageLine(verb: Verb) {
  return `berth ${verb.name}${verb.args ? ` ${verb.args}` : ""}${verb.options ? " [options]" : ""}`;
}

function verbHelp(verb: Verb): string {
  const lines = [`${verb.summary}.`, "", `Usage: ${usageLine(verb)}`];
  if (verb.optionHelp?.length) lines.push("", "Options:", ...verb.optionHelp.map((l) => `  ${l}`));
  return lines.join("\n");
}

function overview(verbs: Verb[], heading: string): string {
  const width = Math.max(...verbs.map((v) => v.name.length));
  return [heading, "", "Commands:", ...verbs.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`), "", "Global options:", ...GLOBAL_HELP.map((l) => `  ${l}`)].join("\n");
}

const TOP_HELP = `berth ${VERSION}: from git to running websites, APIs, databases and jobs.\n\nUsage: berth COMMAND [args] [options]`;

/** Finds the verb named by the first one or two words. */
function findVerb(words: string[]): { verb?: Verb; group: Verb[] } {
  const verb = [3, 2, 1].map((n) => VERBS.find((v) => v.name === words.slice(0, n).join(" "))).find(Boolean);
  if (verb) return { verb, group: [] };
  const prefix = words.slice(0, 2).join(" ");
  const group = VERBS.filter((v) => v.name.startsWith(`${prefix} `));
  return { group: group.length > 0 ? group : VERBS.filter((v) => v.name.startsWith(`${words[0]} `)) };
}

/** The leading words that name a verb (`project list`), skipping a `--config FILE` in front. */
function verbWords(argv: string[]): string[] {
  const rest = argv[0] === "--config" ? argv.slice(2) : argv;
  const end = rest.findIndex((a) => a.startsWith("-"));
  return rest.slice(0, end === -1 ? rest.length : end);
}

function requiredArgs(verb: Verb) {
  return verb.minArgs ?? (verb.args ?? "").split(" ").filter((w) => /^[A-Z]/.test(w)).length;
}

/** Runs one command line; returns the exit status: 0 ok, 1 failure, 2 usage error. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const words = verbWords(argv);
  const wantsHelp = argv.includes("--help") || argv.includes("-h");
  if (argv[0] === "--version" || argv[0] === "-v" || argv[0] === "version") return io.out(`berth ${VERSION}`), 0;
  if (words.length === 0) {
    if (wantsHelp || argv.length === 0) return io.out(overview(VERBS, TOP_HELP)), argv.length === 0 ? 2 : 0;
  }
  const { verb, group } = findVerb(words);
  if (!verb) {
    if (group.length > 0) {
      io.out(overview(group, `berth ${words.slice(0, 2).join(" ")}: ${group.map((v) => v.name.split(" ").at(-1)).join(" | ")}`));
      return wantsHelp ? 0 : 2;
    }
    io.err(`berth: unknown command "${words[0] ?? argv[0]}" (see berth --help)`);
    return 2;
  }
  if (wantsHelp) return io.out(verbHelp(verb)), 0;

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...verb.options, config: { type: "string" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    io.err(`berth ${verb.name}: ${(error as Error).message.split("\n")[0]}`);
    io.err(`usage: ${usageLine(verb)}`);
    return 2;
  }
  const args = parsed.positionals.slice(verb.name.split(" ").length);
  const needed = requiredArgs(verb);
  if (args.length < needed || (!verb.variadic && args.length > needed)) {
    io.err(`berth ${verb.name}: expected ${verb.args ?? "no arguments"}, got ${args.length === 0 ? "none" : args.join(" ")}`);
    io.err(`usage: ${usageLine(verb)}`);
    return 2;
  }
  const configFile = parsed.values.config as string | undefined;
  try {
    const status = await verb.run({ args, values: parsed.values, configFile, client: async () => connect(configFile), ...io });
    return status ?? 0;
  } catch (error) {
    return reportFailure(error, verb, io);
  }
}

function reportFailure(error: unknown, verb: Verb, io: Io): number {
  if (error instanceof UsageError) {
    io.err(`berth ${verb.name}: ${error.message}`);
    io.err(`usage: ${usageLine(verb)}`);
    return 2;
  }
  if (error instanceof ApiError) {
    io.err(`error: ${error.message}`);
    for (const issue of error.issues) io.err(`  ${issue.path}: ${issue.message}`);
    return 1;
  }
  if (error instanceof ConfigError) return io.err(error.message), 1;
  const message = (error as Error).message ?? String(error);
  if ((error as { code?: string }).code === "ConnectionRefused" || /Unable to connect|ECONNREFUSED/.test(message)) {
    io.err(`error: cannot reach the Berth API (${message}); is \`berth serve\` running?`);
    return 1;
  }
  io.err(`error: ${message}`);
  return 1;
}
