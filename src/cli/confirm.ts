import { UsageError, type VerbContext } from "./verb.ts";

/**
 * Destructive verbs ask first, like `heroku apps:destroy`: on a terminal the user types the
 * name back; without one (scripts, CI) `--yes` is required, so nothing is destroyed by accident.
 */
export async function confirmDestructive(ctx: Pick<VerbContext, "values" | "ask">, what: string, name: string): Promise<void> {
  if (ctx.values.yes) return;
  const answer = await ctx.ask(`${what}\nType "${name}" to confirm: `);
  if (answer === null) throw new UsageError(`this destroys ${name}: pass --yes to confirm (there is no terminal to ask on)`);
  if (answer.trim() !== name) throw new UsageError(`not confirmed: nothing was changed`);
}
