import { loadClientSettings } from "../config.ts";
import { runCli } from "./run.ts";

/**
 * Every verb but `berth edge`: main.ts loads this entry only once it knows the process is not the
 * edge, so the edge never parses the CLI, the API and the runtimes (see scripts/compile.ts).
 */
export function runCliCommand(argv: string[]): Promise<number> {
  return runCli(argv, {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    color: Boolean(process.stdout.isTTY) && !loadClientSettings().noColor,
    ask: async (question) => (process.stdin.isTTY ? prompt(question) : null),
  });
}
