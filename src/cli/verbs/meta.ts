import { completionScript } from "../completion.ts";
import { UsageError, type Verb } from "../verb.ts";

export const metaVerbs: Verb[] = [
  {
    name: "help",
    summary: "Help for berth or for one command (same as --help)",
    args: "[COMMAND…]",
    minArgs: 0,
    variadic: true,
    async run({ args, out, err }) {
      // Loaded on call: the runner imports the verb table this file is part of.
      const { runCli } = await import("../run.ts");
      return runCli([...args, "--help"], { out, err });
    },
  },
  {
    name: "completion",
    summary: "Print the shell completion script: source <(berth completion bash)",
    args: "SHELL",
    async run({ args, out }) {
      const script = completionScript(args[0]!);
      if (!script) throw new UsageError(`unknown shell ${JSON.stringify(args[0])}: bash, zsh or fish`);
      out(script);
    },
  },
];
