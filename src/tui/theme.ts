/**
 * Colours from the terminal's own palette (named ANSI colours follow its light or dark theme);
 * the selection is inverse video, which reads on both. With NO_COLOR every colour is dropped and
 * only bold, inverse and dim remain.
 */
export interface Theme {
  ok?: string;
  bad?: string;
  warn?: string;
  accent?: string;
}

export const theme = (color: boolean): Theme => (color ? { ok: "green", bad: "red", warn: "yellow", accent: "cyan" } : {});

const GOOD = new Set(["running", "deployed", "succeeded", "valid", "healthy"]);
const BAD = new Set(["failed", "crashed", "crashlooping", "exited", "timed-out", "error", "expired"]);

/** The colour of a state word, if it has one. */
export function stateColour(t: Theme, state: string): string | undefined {
  if (GOOD.has(state)) return t.ok;
  if (BAD.has(state)) return t.bad;
  return state === "-" || state === "" ? undefined : t.warn;
}
