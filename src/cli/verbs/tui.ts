import { hostname } from "node:os";
import { loadClientSettings } from "../../config.ts";
import type { Verb } from "../verb.ts";

/** The machine the API runs on, as the header names it: this host's name when the API is local. */
function machineOf(url: string): string {
  const host = new URL(url).hostname;
  return host === "127.0.0.1" || host === "localhost" || host === "[::1]" ? hostname() : host;
}

export const tuiVerb: Verb = {
  name: "tui",
  summary: "Open the terminal UI: projects, environments, blocks, releases and logs, live (? shows the keys)",
  async run(ctx) {
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      ctx.err("berth tui needs a terminal: run it in one (or use the CLI verbs in scripts)");
      return 2;
    }
    const client = await ctx.client();
    const { url } = ctx.credentials();
    // Loaded only here: the other verbs never pay for React and the layout engine.
    const { runTui } = await import("../../tui/run.tsx");
    await runTui({ client, url, machine: machineOf(url), color: !loadClientSettings().noColor });
  },
};
