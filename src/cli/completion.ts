import type { Verb } from "./verb.ts";

/**
 * Candidates for the word being typed, given the words before it: the next word of a verb's
 * name, or its options once the verb is named. Shells call `berth __complete WORDS… CURRENT`.
 */
export function complete(words: string[], verbs: Verb[]): string[] {
  const current = words.at(-1) ?? "";
  const before = words.slice(0, -1).filter((w, i, all) => !w.startsWith("-") && all[i - 1] !== "--config");
  // The longest verb name the typed words start with: "env create" over "env".
  const named = verbs
    .filter((v) => v.name.split(" ").every((part, i) => before[i] === part))
    .sort((a, b) => b.name.length - a.name.length)[0];
  if (current.startsWith("-")) {
    const flags = named ? Object.keys(named.options ?? {}).map((f) => `--${f}`) : [];
    return [...flags, "--config", "--help"].filter((f) => f.startsWith(current));
  }
  const next = new Set<string>();
  for (const verb of verbs) {
    const parts = verb.name.split(" ");
    if (parts.length <= before.length) continue;
    if (parts.slice(0, before.length).join(" ") !== before.join(" ")) continue;
    next.add(parts[before.length]!);
  }
  return [...next].filter((w) => w.startsWith(current)).sort();
}

/** The script `berth completion SHELL` prints: each shell asks the binary for candidates. */
export function completionScript(shell: string): string | undefined {
  switch (shell) {
    case "bash":
      return [
        "# berth completion for bash: source <(berth completion bash)",
        "_berth() {",
        "  local IFS=$'\\n'",
        '  COMPREPLY=($(berth __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))',
        "}",
        "complete -o default -F _berth berth",
      ].join("\n");
    case "zsh":
      return [
        "#compdef berth",
        "# berth completion for zsh: source <(berth completion zsh)",
        "_berth() {",
        "  local -a candidates",
        '  candidates=("${(@f)$(berth __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")',
        "  compadd -a candidates",
        "}",
        "compdef _berth berth",
      ].join("\n");
    case "fish":
      return [
        "# berth completion for fish: berth completion fish | source",
        "complete -c berth -f -a '(berth __complete (commandline -opc)[2..-1] (commandline -ct))'",
      ].join("\n");
    default:
      return undefined;
  }
}
