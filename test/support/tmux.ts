import { sh } from "./sh.ts";
import { eventually } from "./eventually.ts";

/**
 * A real terminal for the TUI tests: a detached tmux session on its own server socket (so
 * parallel files never share one), driven by send-keys and read by capture-pane.
 */
export function tmuxSession(name: string, env: Record<string, string>, size = { width: 100, height: 30 }) {
  const socket = `berth-${name}`;
  const tmux = (args: string[]) => {
    const ran = sh(["tmux", "-L", socket, ...args]);
    if (ran.code !== 0) throw new Error(`tmux ${args.join(" ")}: ${ran.err}`);
    return ran.out;
  };
  const prompt = `ready-${name}$ `;
  const envArgs = Object.entries({ ...env, PS1: prompt, TERM: "xterm-256color" }).map(([k, v]) => `${k}=${v}`);
  tmux(["new-session", "-d", "-s", name, "-x", String(size.width), "-y", String(size.height), "env", "-i", ...envArgs, "bash", "--norc", "--noprofile"]);
  const screen = () => tmux(["capture-pane", "-p", "-t", name]);
  return {
    prompt,
    screen,
    /** Keys as tmux names them ("Enter", "Escape", "C-c") or literal text with `literal`. */
    keys: (...keys: string[]) => void tmux(["send-keys", "-t", name, ...keys]),
    type: (text: string) => void tmux(["send-keys", "-t", name, "-l", text]),
    resize: (width: number, height: number) => void tmux(["resize-window", "-t", name, "-x", String(width), "-y", String(height)]),
    /** Waits until the screen shows `text` (a string or a pattern); returns the screen. */
    async waitFor(text: string | RegExp, timeoutMs = 10_000, what = `the screen to show ${text}`): Promise<string> {
      let last = "";
      try {
        await eventually(() => {
          last = screen();
          return typeof text === "string" ? last.includes(text) : text.test(last);
        }, timeoutMs, what);
      } catch (error) {
        throw new Error(`${(error as Error).message}; the screen was:\n${last}`);
      }
      return last;
    },
    close: () => void sh(["tmux", "-L", socket, "kill-server"]),
  };
}
