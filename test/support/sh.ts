/** What a finished command printed and returned. */
export interface Ran {
  code: number;
  out: string;
  err: string;
}

/** Runs argv (never a shell line) to completion; trimmed stdout and stderr apart. */
export function sh(argv: string[], options: { cwd?: string; env?: Record<string, string>; stdin?: string } = {}): Ran {
  const result = Bun.spawnSync(argv, {
    cwd: options.cwd,
    env: options.env,
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: result.exitCode, out: result.stdout.toString().trim(), err: result.stderr.toString().trim() };
}

/** The docker CLI against the shared engine. */
export const docker = (args: string[]): Ran => sh(["docker", ...args]);

/** The non-empty lines of a command's output, e.g. the ids `docker ps -q` lists. */
export const lines = (ran: Ran): string[] => ran.out.split("\n").filter(Boolean);
