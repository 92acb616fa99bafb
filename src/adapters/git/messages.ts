/** A user value for a one-line message: quoted, escaped, bounded. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 120 ? `${value.slice(0, 117)}...` : value);
}

/** Lines git and ssh add after the real cause; they never explain anything. */
const BOILERPLATE = [
  /^fatal: Could not read from remote repository\.?$/,
  /^Please make sure you have the correct access rights$/,
  /^and the repository exists\.?$/,
  /^(warning|hint):/i,
  /^@+/,
  /unable to read askpass response/,
];

/** Lines that usually name the cause, in the order they are preferred. */
const CAUSES = [/denied|failed|refused|timed out|not found|could not resolve|unable to/i, /^(fatal|error|ERROR):/];

/**
 * One line from git's stderr that says what went wrong, with `fatal:` dropped, every
 * occurrence of the URL replaced by its redacted form and every secret masked.
 */
export function summarizeStderr(stderr: string, scrub: { url: string; redactedUrl: string; secrets: string[] }): string {
  const lines = stderr
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line && !BOILERPLATE.some((pattern) => pattern.test(line)));
  let line = "";
  for (const cause of CAUSES) {
    line = lines.find((candidate) => cause.test(candidate)) ?? "";
    if (line) break;
  }
  line ||= lines.at(-1) ?? "git exited without a message";
  line = line.replace(/^(fatal|error):\s*/i, "");
  // git's way of saying an http server wanted credentials it did not get or accept.
  if (/^could not read (Username|Password) for /.test(line)) return AUTH_FAILED;
  if (scrub.url) line = line.split(scrub.url).join(scrub.redactedUrl);
  line = line.replace(/(https?:\/\/)[^\s/@'"]*@/gi, "$1");
  for (const secret of scrub.secrets) if (secret) line = line.split(secret).join("***");
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

const AUTH_FAILED = "authentication failed (the server asked for credentials; check the https token)";
