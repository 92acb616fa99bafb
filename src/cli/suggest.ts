import { closest } from "../core/project-file/suggest.ts";
import type { Verb } from "./verb.ts";

/** "did you mean" for a command line whose words name no verb. */
export function suggestVerb(words: string[], verbs: Verb[]): string | undefined {
  const names = verbs.map((v) => v.name);
  for (const n of [Math.min(words.length, 3), 2, 1]) {
    const typed = words.slice(0, n).join(" ");
    const candidates = names.filter((name) => name.split(" ").length === n);
    const hit = closest(typed, candidates);
    if (hit) return hit;
  }
  return undefined;
}

/** "did you mean" for an unknown option of a verb. */
export function suggestFlag(flag: string, verb: Verb): string | undefined {
  const known = [...Object.keys(verb.options ?? {}), "config", "help"];
  const hit = closest(flag.replace(/^-+/, ""), known);
  return hit === undefined ? undefined : `--${hit}`;
}
