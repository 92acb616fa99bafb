/**
 * C0 and C1 control characters other than tab and newline. Tab and newline are allowed so a
 * PEM key or certificate can be stored as it is; NUL and the rest never reach a container (a
 * NUL makes Docker refuse the environment and quote it back whole in its error).
 */
const FORBIDDEN = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

const codePoint = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

/** Why a variable's value cannot be stored, naming the character but never the value; null when fine. */
export function valueProblem(value: string): string | null {
  const found = FORBIDDEN.exec(value);
  if (!found) return null;
  return `contains a control character (${codePoint(found[0])} at position ${found.index + 1}); only tab and newline are allowed`;
}
