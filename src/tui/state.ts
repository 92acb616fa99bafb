import { VIEWS, type View } from "./keys.ts";

export interface Flash {
  text: string;
  kind: "info" | "busy" | "error";
}

/** A question on top of the view: yes/no (no options) or a pick from a list. */
export interface Prompt {
  title: string;
  /** What the answer will do: a diff, the releases to pick from. */
  lines: string[];
  options?: string[];
  cursor: number;
  /** Called with the picked option's index (0 for a yes). */
  choose: (index: number) => void;
}

export interface UiState {
  stack: View[];
  cursor: Partial<Record<View, number>>;
  filter: Partial<Record<View, string>>;
  /** A line being typed at the bottom: a filter (`/`) or a view command (`:`). */
  input: { kind: "filter" | "command"; text: string } | null;
  help: boolean;
  prompt: Prompt | null;
  flash: Flash | null;
  /** The environment the env-level views show. */
  env: { project: string; env: string } | null;
  /** The block the logs and vars views show; null: every block. */
  block: string | null;
  wrap: boolean;
  /** Logs stop following when scrolled up, until G or f. */
  logsPaused: boolean;
}

export const initialState = (): UiState => ({
  stack: ["projects"],
  cursor: {},
  filter: {},
  input: null,
  help: false,
  prompt: null,
  flash: null,
  env: null,
  block: null,
  wrap: false,
  logsPaused: false,
});

export type Msg =
  | { type: "move"; how: "up" | "down" | "top" | "bottom" | "pageUp" | "pageDown"; count: number; page: number }
  | { type: "push"; view: View; block?: string | null }
  | { type: "back" }
  | { type: "goto"; view: View }
  | { type: "startInput"; kind: "filter" | "command" }
  | { type: "typed"; text: string }
  | { type: "endInput"; keep: boolean }
  | { type: "help" }
  | { type: "prompt"; prompt: Prompt | null }
  | { type: "promptMove"; delta: number }
  | { type: "flash"; flash: Flash | null }
  | { type: "env"; env: { project: string; env: string } }
  | { type: "wrap" }
  | { type: "follow" };

export const currentView = (s: UiState): View => s.stack[s.stack.length - 1]!;

/** Where a cursor lands after a move within `count` rows; -1 when there are none. */
export function moveCursor(at: number, how: Extract<Msg, { type: "move" }>["how"], count: number, page: number): number {
  if (count === 0) return -1;
  const next = { up: at - 1, down: at + 1, top: 0, bottom: count - 1, pageUp: at - page, pageDown: at + page }[how];
  return Math.max(0, Math.min(count - 1, next));
}

/** A `:` command to its view: a whole name or a unique prefix (`:rel`), with or without the colon. */
export function parseCommand(text: string): View | string {
  const word = text.trim().replace(/^:/, "").toLowerCase();
  const exact = VIEWS.find((v) => v === word);
  if (exact) return exact;
  const matches = word ? VIEWS.filter((v) => v.startsWith(word)) : [];
  if (matches.length === 1) return matches[0]!;
  return `no view "${word}": try ${VIEWS.map((v) => `:${v}`).join(" ")}`;
}

export function reduce(s: UiState, msg: Msg): UiState {
  const view = currentView(s);
  switch (msg.type) {
    case "move": {
      const at = s.cursor[view] ?? (view === "logs" ? msg.count - 1 : 0);
      const next = moveCursor(at, msg.how, msg.count, msg.page);
      const logsPaused = view === "logs" ? next < msg.count - 1 : s.logsPaused;
      return { ...s, cursor: { ...s.cursor, [view]: next }, logsPaused };
    }
    case "push":
      return { ...s, stack: [...s.stack, msg.view], block: msg.block === undefined ? s.block : msg.block, logsPaused: false, cursor: { ...s.cursor, [msg.view]: undefined } };
    case "back":
      if (s.filter[view]) return { ...s, filter: { ...s.filter, [view]: "" } };
      return s.stack.length > 1 ? { ...s, stack: s.stack.slice(0, -1) } : s;
    case "goto":
      // `:projects` starts over; any other view sits on top of where the user came from.
      if (msg.view === "projects") return { ...s, stack: ["projects"] };
      if (msg.view === "logs" || msg.view === "vars") return { ...s, stack: [...s.stack.filter((v) => v !== msg.view), msg.view], logsPaused: false };
      return { ...s, stack: [...s.stack.filter((v) => v !== msg.view), msg.view] };
    case "startInput":
      return { ...s, input: { kind: msg.kind, text: msg.kind === "filter" ? (s.filter[view] ?? "") : "" } };
    case "typed":
      if (!s.input) return s;
      return { ...s, input: { ...s.input, text: msg.text }, filter: s.input.kind === "filter" ? { ...s.filter, [view]: msg.text } : s.filter, cursor: s.input.kind === "filter" ? { ...s.cursor, [view]: undefined } : s.cursor };
    case "endInput": {
      if (!s.input) return s;
      const cleared = s.input.kind === "filter" && !msg.keep ? { ...s.filter, [view]: "" } : s.filter;
      return { ...s, input: null, filter: cleared };
    }
    case "help":
      return { ...s, help: !s.help };
    case "prompt":
      return { ...s, prompt: msg.prompt };
    case "promptMove":
      if (!s.prompt?.options) return s;
      return { ...s, prompt: { ...s.prompt, cursor: Math.max(0, Math.min(s.prompt.options.length - 1, s.prompt.cursor + msg.delta)) } };
    case "flash":
      return { ...s, flash: msg.flash };
    case "env":
      return s.env?.project === msg.env.project && s.env.env === msg.env.env ? s : { ...s, env: msg.env, block: null, cursor: { ...s.cursor, blocks: 0 } };
    case "wrap":
      return { ...s, wrap: !s.wrap };
    case "follow":
      return { ...s, logsPaused: false, cursor: { ...s.cursor, logs: undefined } };
  }
}
