import { expect, test } from "bun:test";
import { currentView, initialState, moveCursor, parseCommand, reduce, type Msg, type UiState } from "./state.ts";

const run = (msgs: Msg[], from: UiState = initialState()) => msgs.reduce(reduce, from);

test("cursor moves stay inside the list", () => {
  expect(moveCursor(0, "up", 5, 10)).toBe(0);
  expect(moveCursor(4, "down", 5, 10)).toBe(4);
  expect(moveCursor(1, "bottom", 5, 10)).toBe(4);
  expect(moveCursor(3, "top", 5, 10)).toBe(0);
  expect(moveCursor(0, "pageDown", 50, 10)).toBe(10);
  expect(moveCursor(5, "pageUp", 50, 10)).toBe(0);
  expect(moveCursor(0, "down", 0, 10)).toBe(-1);
});

test(": commands take whole names and unique prefixes, and name the views on a typo", () => {
  expect(parseCommand(":releases")).toBe("releases");
  expect(parseCommand("rel")).toBe("releases");
  expect(parseCommand("LOGS")).toBe("logs");
  expect(parseCommand(":nope")).toBe('no view "nope": try :projects :blocks :releases :builds :jobs :logs :vars :clients :certs :users');
  expect(parseCommand(":c")).toContain("no view");
});

test("enter drills in and esc goes back, never past the first view", () => {
  const s = run([{ type: "push", view: "blocks" }, { type: "push", view: "logs", block: "web" }]);
  expect(currentView(s)).toBe("logs");
  expect(s.block).toBe("web");
  expect(currentView(run([{ type: "back" }, { type: "back" }, { type: "back" }], s))).toBe("projects");
});

test("a view command stacks the view once; :projects starts over", () => {
  const s = run([{ type: "goto", view: "releases" }, { type: "goto", view: "builds" }, { type: "goto", view: "releases" }]);
  expect(s.stack).toEqual(["projects", "builds", "releases"]);
  expect(run([{ type: "goto", view: "projects" }], s).stack).toEqual(["projects"]);
});

test("a filter is typed, kept on enter, dropped on esc; esc in a filtered view clears it first", () => {
  const typed = run([{ type: "startInput", kind: "filter" }, { type: "typed", text: "we" }]);
  expect(typed.filter.projects).toBe("we");
  const kept = run([{ type: "endInput", keep: true }], typed);
  expect(kept.filter.projects).toBe("we");
  expect(kept.input).toBeNull();
  expect(run([{ type: "endInput", keep: false }], typed).filter.projects).toBe("");
  const pushed = run([{ type: "push", view: "blocks" }, { type: "startInput", kind: "filter" }, { type: "typed", text: "x" }, { type: "endInput", keep: true }, { type: "back" }]);
  expect(currentView(pushed)).toBe("blocks");
  expect(pushed.filter.blocks).toBe("");
});

test("logs pause when scrolled up and follow again at the bottom or on f", () => {
  const s = run([{ type: "push", view: "logs" }, { type: "move", how: "up", count: 100, page: 20 }]);
  expect(s.logsPaused).toBe(true);
  expect(s.cursor.logs).toBe(98);
  expect(run([{ type: "move", how: "bottom", count: 100, page: 20 }], s).logsPaused).toBe(false);
  expect(run([{ type: "follow" }], s).logsPaused).toBe(false);
});

test("picking another environment resets the block cursor and block", () => {
  const s = run([{ type: "env", env: { project: "a", env: "dev" } }, { type: "push", view: "logs", block: "web" }, { type: "env", env: { project: "a", env: "prod" } }]);
  expect(s.block).toBeNull();
  expect(s.env).toEqual({ project: "a", env: "prod" });
});
