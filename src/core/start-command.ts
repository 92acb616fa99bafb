/**
 * Start commands run as `sh -c "<command>"`. Debian's dash (and bash) fork the command as a
 * child instead of replacing themselves, so on `docker stop` the shell gets SIGTERM, ignores
 * it on the app's behalf, and the app is killed without a chance to finish its requests.
 * Prefixing the command's last simple command with `exec` makes the app the shell's
 * replacement, so it receives the signal itself:
 *
 *   node server.js                 → exec node server.js
 *   npm run migrate && npm start   → npm run migrate && exec npm start
 *   PORT=3000 node app.js          → PORT=3000 exec node app.js
 *
 * `exec` on the last command of an and-or list changes nothing else: the shell would exit
 * with that command's status anyway. Commands that end in anything else (a pipeline, a
 * background `&`, a subshell, `if`/`while`/`case`, a function, a shell builtin, a here-doc,
 * a comment) run exactly as written.
 */
export function execLast(command: string): string {
  const scan = scanTopLevel(command);
  if (!scan) return command;
  const { separators, unsafe } = scan;
  let start = 0;
  let end = command.length;
  for (const sep of separators) start = sep.end;
  // A trailing `;` or newline ends the list without starting another command.
  if (command.slice(start).trim() === "" && separators.length) {
    const last = separators[separators.length - 1]!;
    if (last.op !== ";" && last.op !== "\n") return command;
    end = last.start;
    start = separators.length > 1 ? separators[separators.length - 2]!.end : 0;
  }
  if (unsafe.some((at) => at >= start && at < end)) return command;
  const words = splitWords(command.slice(start, end));
  if (!words) return command;
  const first = words.findIndex((word) => !ASSIGNMENT.test(word.text));
  if (first < 0) return command;
  const name = words[first]!.text;
  if (RESERVED.has(name) || BUILTINS.has(name) || name.startsWith("-")) return command;
  const at = start + words[first]!.start;
  return `${command.slice(0, at)}exec ${command.slice(at)}`;
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
/** Words that open or close compound commands, and `exec` itself (nothing to add then). */
const RESERVED = new Set(["if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for", "in", "{", "}", "!", "exec", "function", "select"]);
/** Builtins that `exec` cannot run: they are not programs on PATH. */
const BUILTINS = new Set([
  ":", ".", "source", "alias", "bg", "break", "cd", "command", "continue", "eval", "exit", "export", "false", "fg", "getopts", "hash",
  "jobs", "kill", "local", "read", "readonly", "return", "set", "shift", "test", "[", "times", "trap", "true", "type", "ulimit",
  "umask", "unalias", "unset", "wait", "echo", "printf", "pwd",
]);

interface Separator {
  op: string;
  start: number;
  end: number;
}

/**
 * The positions of top-level list separators (`;`, `&&`, `||`, newline) and of constructs
 * after which `exec` would change the meaning (`|`, background `&`, `(`, `)`, `<<`, `#`).
 * Quotes, backslashes, `$(…)`, `${…}` and backquotes are skipped over. Null when the
 * quoting does not balance (the shell will say what is wrong) or the command holds a
 * structure that rules `exec` out anywhere.
 */
function scanTopLevel(command: string): { separators: Separator[]; unsafe: number[] } | null {
  const separators: Separator[] = [];
  const unsafe: number[] = [];
  let i = 0;
  const n = command.length;
  while (i < n) {
    const c = command[i]!;
    const next = command[i + 1];
    if (c === "\\") {
      i += 2;
      continue;
    }
    if (c === "'" || c === '"' || c === "`") {
      const close = skipQuoted(command, i);
      if (close < 0) return null;
      i = close;
      continue;
    }
    if (c === "$" && (next === "(" || next === "{")) {
      const close = skipNested(command, i + 1);
      if (close < 0) return null;
      i = close;
      continue;
    }
    if ((c === "&" && next === "&") || (c === "|" && next === "|")) {
      separators.push({ op: c + next, start: i, end: i + 2 });
      i += 2;
      continue;
    }
    if (c === ";" || c === "\n") {
      if (c === ";" && next === ";") unsafe.push(i);
      separators.push({ op: c, start: i, end: i + 1 });
      i += 1;
      continue;
    }
    const previous = command[i - 1];
    const redirection = c === "&" && (previous === ">" || previous === "<");
    const comment = c === "#" && (i === 0 || /\s|;|&|\|/.test(previous!));
    if ((c === "&" && !redirection) || c === "|" || c === "(" || c === ")" || comment || (c === "<" && next === "<")) {
      // Subshells, functions, here-docs and comments spoil the whole command, not just their segment.
      if (c === "(" || c === ")" || comment || c === "<") return null;
      unsafe.push(i);
    }
    i += 1;
  }
  return { separators, unsafe };
}

/** Index just past the quote that closes the one at `open`, or -1. */
function skipQuoted(command: string, open: number): number {
  const quote = command[open];
  for (let i = open + 1; i < command.length; i++) {
    const c = command[i];
    if (c === "\\" && quote !== "'") {
      i++;
      continue;
    }
    if (c === quote) return i + 1;
  }
  return -1;
}

/** Index just past the bracket that closes the `(` or `{` at `open`, honouring quotes inside, or -1. */
function skipNested(command: string, open: number): number {
  const opening = command[open];
  const closing = opening === "(" ? ")" : "}";
  let depth = 0;
  for (let i = open; i < command.length; i++) {
    const c = command[i]!;
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "'" || c === '"' || c === "`") {
      const close = skipQuoted(command, i);
      if (close < 0) return -1;
      i = close - 1;
      continue;
    }
    if (c === opening) depth++;
    if (c === closing && --depth === 0) return i + 1;
  }
  return -1;
}

/** The words of one simple command with their offsets; quoting kept as written. */
function splitWords(segment: string): { text: string; start: number }[] | null {
  const words: { text: string; start: number }[] = [];
  let i = 0;
  while (i < segment.length) {
    while (i < segment.length && /\s/.test(segment[i]!)) i++;
    if (i >= segment.length) break;
    const start = i;
    while (i < segment.length && !/\s/.test(segment[i]!)) {
      const c = segment[i]!;
      if (c === "\\") i += 2;
      else if (c === "'" || c === '"' || c === "`") {
        const close = skipQuoted(segment, i);
        if (close < 0) return null;
        i = close;
      } else if (c === "$" && (segment[i + 1] === "(" || segment[i + 1] === "{")) {
        const close = skipNested(segment, i + 1);
        if (close < 0) return null;
        i = close;
      } else i++;
    }
    words.push({ text: segment.slice(start, i), start });
  }
  return words;
}
