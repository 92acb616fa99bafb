import { atLeast, type GlobalRole, type Role } from "../core/roles.ts";

export const VIEWS = ["projects", "blocks", "releases", "builds", "jobs", "logs", "vars", "clients", "certs", "users"] as const;
export type View = (typeof VIEWS)[number];

export type Action =
  | "quit" | "help" | "command" | "filter" | "back" | "enter"
  | "up" | "down" | "top" | "bottom" | "pageUp" | "pageDown"
  | "deploy" | "promote" | "rollback" | "stopStart" | "restart" | "runJob" | "cancelBuild"
  | "wrap" | "follow";

export interface KeyBinding {
  /** Names as `keyName` gives them: "j", "R", "up", "enter", "esc", "pgup", "ctrl+c". */
  keys: string[];
  /** One word for the footer. */
  label: string;
  /** One line for the `?` map. */
  help: string;
  action: Action;
  /** Views where the key works; none: everywhere. */
  views?: readonly View[];
  /** Changes something: a token below this role sees the key greyed, with the reason. */
  needs?: Role;
  /** Shown in the `?` map only, not the footer (movement everybody knows). */
  helpOnly?: boolean;
}

const ENV_VIEWS: readonly View[] = ["projects", "blocks", "releases"];

/** The one key table: the footer and the `?` map are both rendered from it. */
export const KEYS: readonly KeyBinding[] = [
  { keys: ["enter"], label: "open", help: "drill into the selected row", action: "enter", views: ["projects", "blocks", "releases", "builds", "jobs"] },
  { keys: ["esc"], label: "back", help: "back to the previous view (or leave a filter)", action: "back" },
  { keys: [":"], label: "view", help: "go to a view: :projects :releases :builds :jobs :logs :vars :clients :certs :users", action: "command" },
  { keys: ["/"], label: "filter", help: "filter the list (in logs: search)", action: "filter" },
  { keys: ["d"], label: "deploy", help: "deploy the environment (shows the diff first)", action: "deploy", views: ENV_VIEWS, needs: "member" },
  { keys: ["p"], label: "promote", help: "promote the environment's live release to another environment", action: "promote", views: ENV_VIEWS, needs: "member" },
  { keys: ["r"], label: "rollback", help: "roll back to a release you pick", action: "rollback", views: ENV_VIEWS, needs: "member" },
  { keys: ["s"], label: "stop/start", help: "stop or start the environment", action: "stopStart", views: ENV_VIEWS, needs: "member" },
  { keys: ["R"], label: "restart", help: "rolling restart of the selected block", action: "restart", views: ["blocks"], needs: "member" },
  { keys: ["x"], label: "run", help: "run the selected job now", action: "runJob", views: ["jobs"], needs: "member" },
  { keys: ["c"], label: "cancel", help: "cancel the selected build", action: "cancelBuild", views: ["builds"], needs: "member" },
  { keys: ["w"], label: "wrap", help: "wrap long log lines or cut them", action: "wrap", views: ["logs"] },
  { keys: ["f"], label: "follow", help: "follow new lines again after scrolling", action: "follow", views: ["logs"] },
  { keys: ["j", "down"], label: "down", help: "next row", action: "down", helpOnly: true },
  { keys: ["k", "up"], label: "up", help: "previous row", action: "up", helpOnly: true },
  { keys: ["g", "home"], label: "top", help: "first row", action: "top", helpOnly: true },
  { keys: ["G", "end"], label: "bottom", help: "last row", action: "bottom", helpOnly: true },
  { keys: ["pgup", "ctrl+b"], label: "page up", help: "a page up", action: "pageUp", helpOnly: true },
  { keys: ["pgdn", "ctrl+f"], label: "page down", help: "a page down", action: "pageDown", helpOnly: true },
  { keys: ["?"], label: "help", help: "this key map", action: "help" },
  { keys: ["q", "ctrl+c"], label: "quit", help: "quit and give the terminal back", action: "quit" },
];

/** Why the key does nothing for this role, or null when it works. */
export function refusal(binding: KeyBinding, role: GlobalRole): string | null {
  return binding.needs && !atLeast(role, binding.needs) ? `${binding.label} needs the ${binding.needs} role; you are ${role}` : null;
}

export const worksIn = (binding: KeyBinding, view: View) => !binding.views || binding.views.includes(view);

/** The binding a key press means in a view. */
export const bindingFor = (name: string, view: View) => KEYS.find((b) => b.keys.includes(name) && worksIn(b, view));

export interface KeyHint {
  key: string;
  label: string;
  /** Greyed: the role cannot use it. */
  disabled: string | null;
}

/** The footer of a view: the keys that work there, in table order. */
export function footerKeys(view: View, role: GlobalRole): KeyHint[] {
  return KEYS.filter((b) => !b.helpOnly && worksIn(b, view)).map((b) => ({ key: b.keys[0]!, label: b.label, disabled: refusal(b, role) }));
}

/** The `?` map: every key with where it works. */
export function helpLines(role: GlobalRole): { keys: string; help: string; where: string; disabled: string | null }[] {
  return KEYS.map((b) => ({ keys: b.keys.join(" "), help: b.help, where: b.views ? b.views.join(" ") : "everywhere", disabled: refusal(b, role) }));
}

export interface KeyInfo {
  upArrow?: boolean;
  downArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
  backspace?: boolean;
  delete?: boolean;
}

/** A key press as a name of the table: Ink's input and flags folded into one string. */
export function keyName(input: string, key: KeyInfo): string {
  if (key.upArrow) return "up";
  if (key.downArrow) return "down";
  if (key.pageUp) return "pgup";
  if (key.pageDown) return "pgdn";
  if (key.home) return "home";
  if (key.end) return "end";
  if (key.return) return "enter";
  if (key.escape) return "esc";
  if (key.backspace || key.delete) return "backspace";
  if (key.ctrl) return `ctrl+${input}`;
  return input;
}
