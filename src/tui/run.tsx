import { render } from "ink";
import type { Client } from "../client/index.ts";
import { tuiApi } from "./api.ts";
import { App } from "./app.tsx";
import { CrashBoundary } from "./views/crash.tsx";

export interface TuiOptions {
  client: Client;
  /** Shown in the header: where the API is. */
  url: string;
  machine: string;
  color: boolean;
  /** The terminal: process's own for `berth tui`, an SSH channel's for serve. */
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** Ends the UI from outside: the SSH client went away. */
  signal?: AbortSignal;
}

/**
 * Draws the TUI until the user quits; resolves once the terminal is given back (alternate screen
 * left, raw mode off). Who the user is comes from the API first: a bad token is one line, no screen.
 */
export async function runTui(options: TuiOptions): Promise<void> {
  const api = tuiApi(options.client);
  const me = await api.whoami();
  const instance = render(
    <CrashBoundary>
      <App api={api} me={me} machine={options.machine} url={options.url} color={options.color} />
    </CrashBoundary>,
    {
      stdin: options.stdin,
      stdout: options.stdout,
      exitOnCtrlC: false,
      patchConsole: false,
      alternateScreen: true,
      // Ink would judge by CI variables in the environment; the caller has checked for a terminal.
      interactive: true,
    },
  );
  options.signal?.addEventListener("abort", () => instance.unmount(), { once: true });
  await instance.waitUntilExit();
}
