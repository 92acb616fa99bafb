import type { ParseArgsConfig } from "node:util";
import type { Client } from "../client/index.ts";
import type { Colour } from "./output.ts";

export type Options = NonNullable<ParseArgsConfig["options"]>;
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface VerbContext {
  /** Positional arguments after the verb's words. */
  args: string[];
  values: Values;
  /** Connects to the API the way the CLI finds it: flags, env, `berth login`, then the local server. */
  client(): Promise<Client>;
  /** The API's URL and token as found for `client()`, for the rare call the typed client cannot make (websockets). */
  credentials(): { url: string; token: string };
  out: (line: string) => void;
  err: (line: string) => void;
  configFile?: string;
  /** Colours text on a terminal that wants it; returns it unchanged otherwise. */
  paint: (text: string, colour: Colour) => string;
  /** Asks on the terminal and returns the answer; null when there is no terminal to ask on. */
  ask: (question: string) => Promise<string | null>;
}

/** A CLI verb as data; `berth --help` and `berth VERB --help` are generated from these. */
export interface Verb {
  /** One or two words: "apply", "token create". */
  name: string;
  summary: string;
  /** Positional arguments, as shown in usage: "PROJECT ENV". */
  args?: string;
  /** How many positionals at least (default: the count of upper-case words in `args`). */
  minArgs?: number;
  /** Accept any number of trailing positionals. */
  variadic?: boolean;
  options?: Options;
  /** One line per option, for help: `--dry-run  show the changes, apply nothing`. */
  optionHelp?: string[];
  run(ctx: VerbContext): Promise<number | void>;
}

/** A bad command line: printed with usage, exit status 2. */
export class UsageError extends Error {}
