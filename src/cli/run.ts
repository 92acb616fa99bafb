import { parseArgs } from "node:util";
import { ApiError } from "../client/index.ts";
import { ConfigError } from "../config.ts";
import { COMMIT, VERSION } from "../version.ts";
import { complete } from "./completion.ts";
import { connect, resolveCredentials, type Credentials } from "./connect.ts";
import { overview, TOP_HELP, usageLine, verbHelp } from "./help.ts";
import { painter } from "./output.ts";
import { suggestFlag, suggestVerb } from "./suggest.ts";
import { UsageError, type Verb } from "./verb.ts";
import { VERBS } from "./verbs/index.ts";

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Colour on: stdout is a terminal and NO_COLOR is not set. */
  color?: boolean;
  /** Asks a question on the terminal; absent when there is none (scripts, CI). */
  ask?: (question: string) => Promise<string | null>;
}

/** Finds the verb named by the first one, two or three words. */
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

/** The shells' `__complete` callback (see completion.ts); not a verb, so help does not list it. */
function builtin(argv: string[], io: Io): number | undefined {
  if (argv[0] === "__complete") return io.out(complete(argv.slice(1), VERBS).join("\n")), 0;
  return undefined;
}

/** Runs one command line; returns the exit status: 0 ok, 1 failure, 2 usage error. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  if (argv[0] === "--version" || argv[0] === "-v") return io.out(`berth ${VERSION} (commit ${COMMIT})`), 0;
  const special = builtin(argv, io);
  if (special !== undefined) return special;
  const words = verbWords(argv);
  const wantsHelp = argv.includes("--help") || argv.includes("-h");
  if (words.length === 0) {
    if (wantsHelp || argv.length === 0) return io.out(overview(VERBS, TOP_HELP)), argv.length === 0 ? 2 : 0;
  }
  const { verb, group } = findVerb(words);
  if (!verb) {
    const hint = suggestVerb(words, VERBS);
    if (group.length > 0) {
      if (hint && words.length > 1) io.err(`berth: unknown command "${words.slice(0, 2).join(" ")}"; did you mean "${hint}"?`);
      io.out(overview(group, `berth ${words.slice(0, 2).join(" ")}: ${group.map((v) => v.name.split(" ").at(-1)).join(" | ")}`));
      return wantsHelp ? 0 : 2;
    }
    io.err(`berth: unknown command "${words[0] ?? argv[0]}"${hint ? `; did you mean "${hint}"?` : ""} (see berth help)`);
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
    const message = (error as Error).message.split("\n")[0]!;
    const unknown = /Unknown option '(-[^']+)'/.exec(message)?.[1];
    const hint = unknown ? suggestFlag(unknown, verb) : undefined;
    io.err(`berth ${verb.name}: ${unknown ? `unknown option ${unknown}${hint ? `; did you mean ${hint}?` : ""}` : message}`);
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
  let target: Credentials | undefined;
  try {
    const status = await verb.run({
      args,
      values: parsed.values,
      configFile,
      client: async () => {
        const connection = connect(configFile);
        target = connection.credentials;
        return connection.client;
      },
      credentials: () => (target ??= resolveCredentials(configFile)),
      paint: painter(io.color ?? false),
      ask: io.ask ?? (async () => null),
      out: io.out,
      err: io.err,
    });
    return status ?? 0;
  } catch (error) {
    return reportFailure(error, verb, io, target);
  }
}

function reportFailure(error: unknown, verb: Verb, io: Io, target: Credentials | undefined): number {
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
  if ((error as { code?: string }).code === "ConnectionRefused" || /Unable to connect|ECONNREFUSED|ConnectionRefused/.test(message)) {
    const where = target ? `${target.url} (${target.source})` : "the API";
    io.err(`error: cannot reach the Berth API at ${where}; is \`berth serve\` running there?`);
    return 1;
  }
  io.err(`error: ${message}`);
  return 1;
}
