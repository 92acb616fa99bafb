import type { Dispatch } from "react";
import type { GlobalRole } from "../core/roles.ts";
import { bindingFor, keyName, refusal, VIEWS, type Action, type KeyInfo, type View } from "./keys.ts";
import { parseCommand, type Msg, type UiState } from "./state.ts";

export interface KeyContext {
  state: UiState;
  view: View;
  role: GlobalRole;
  /** Rows of the current list, for moves. */
  count: number;
  page: number;
  dispatch: Dispatch<Msg>;
  exit: () => void;
  enter: () => void;
  run: (action: Action) => void;
}

const MOVES = { up: "up", down: "down", top: "top", bottom: "bottom", pageUp: "pageUp", pageDown: "pageDown" } as const;

/**
 * A chunk of input as single key presses. Ink hands over what one read returned: keys sent
 * quickly (a paste, a test driver, a slow link) come as "/web" or ":logs\r".
 */
export function splitChunk(input: string, key: KeyInfo & { meta?: boolean }): [string, KeyInfo][] {
  if (input.length <= 1 || key.ctrl || key.meta || input.startsWith("\x1b")) return [[input, key]];
  return [...input].map((ch): [string, KeyInfo] => (ch === "\r" || ch === "\n" ? ["", { return: true }] : ch === "\x7f" ? ["", { backspace: true }] : [ch, {}]));
}

/** One key press: to the line being typed, the open prompt or help, else through the key table. */
export function handleKey(input: string, key: KeyInfo, ctx: KeyContext) {
  const { state, dispatch } = ctx;
  const name = keyName(input, key);
  if (name === "ctrl+c") return ctx.exit();
  if (state.input) {
    if (name === "enter") {
      dispatch({ type: "endInput", keep: true });
      if (state.input.kind === "command" && state.input.text.trim()) {
        const view = parseCommand(state.input.text);
        if ((VIEWS as readonly string[]).includes(view)) dispatch({ type: "goto", view: view as View });
        else dispatch({ type: "flash", flash: { kind: "error", text: view } });
      }
    } else if (name === "esc") dispatch({ type: "endInput", keep: false });
    else if (name === "backspace") dispatch({ type: "typed", text: state.input.text.slice(0, -1) });
    else if (!key.ctrl && input && input >= " ") dispatch({ type: "typed", text: state.input.text + input });
    return;
  }
  if (state.prompt) {
    const options = state.prompt.options?.length ?? 0;
    if (name === "esc" || name === "n" || name === "q") dispatch({ type: "prompt", prompt: null });
    else if (name === "enter" || (name === "y" && options === 0)) state.prompt.choose(state.prompt.cursor);
    else if (name === "j" || name === "down") dispatch({ type: "promptMove", delta: 1 });
    else if (name === "k" || name === "up") dispatch({ type: "promptMove", delta: -1 });
    return;
  }
  if (state.help) {
    if (name === "q") return ctx.exit();
    return void dispatch({ type: "help" });
  }
  const binding = bindingFor(name, ctx.view);
  if (!binding) return;
  const refused = refusal(binding, ctx.role);
  if (refused) return void dispatch({ type: "flash", flash: { kind: "error", text: refused } });
  const action = binding.action;
  if (action in MOVES) return void dispatch({ type: "move", how: MOVES[action as keyof typeof MOVES], count: ctx.count, page: ctx.page });
  switch (action) {
    case "quit":
      return ctx.exit();
    case "help":
      return void dispatch({ type: "help" });
    case "command":
      return void dispatch({ type: "startInput", kind: "command" });
    case "filter":
      return void dispatch({ type: "startInput", kind: "filter" });
    case "back":
      return void dispatch({ type: "back" });
    case "enter":
      return ctx.enter();
    case "wrap":
      return void dispatch({ type: "wrap" });
    case "follow":
      return void dispatch({ type: "follow" });
    default:
      return ctx.run(action);
  }
}
