import chalk from "chalk";
import { createClient } from "../client/index.ts";
import type { SessionContext } from "./server.ts";

/**
 * One SSH session's terminal UI: the same app as `berth tui`, talking to serve's API in process
 * (no socket) with the session's own short-lived token, so the API authorises it like any client.
 */
/** Serve's app: the second argument carries the peer's address, as Bun.serve's server would. */
type AppFetch = (request: Request, env: { requestIP: () => { address: string } }) => Response | Promise<Response>;

export function tuiSession(deps: { fetch: AppFetch; url: string; machine: string }) {
  // Ink styles through chalk, which judges colour support by serve's own stdout (a log file or
  // journald: none). The client's terminal is what draws, so at least the 16 basic colours,
  // inverse and bold; NO_COLOR from the client drops the colours in the theme instead.
  if (chalk.level === 0) chalk.level = 1;
  return async (ctx: SessionContext) => {
    // Per session, so sign-in limits and the audit log see each SSH client apart, not one "in-process".
    const peer = { requestIP: () => ({ address: ctx.ip }) };
    const client = createClient({ url: "http://berth.internal", token: ctx.token, fetch: ((input: RequestInfo | URL, init?: RequestInit) => deps.fetch(new Request(input, init), peer)) as typeof fetch });
    const { runTui } = await import("../tui/run.tsx");
    await runTui({ client, url: deps.url, machine: deps.machine, color: ctx.color, stdin: ctx.terminal.stdin, stdout: ctx.terminal.stdout, signal: ctx.signal });
  };
}
