/** How a git command is run: argv after `git`, the child's whole environment, a time limit. */
export interface GitCommand {
  args: string[];
  /** The complete environment of the child; nothing else is inherited. */
  env: Record<string, string>;
  timeoutMs: number;
  cwd?: string;
}

export interface GitOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs one git command; injectable so tests can observe argv and environment. */
export type RunGit = (command: GitCommand) => Promise<GitOutput>;

export class GitTimeoutError extends Error {
  constructor(args: string[], timeoutMs: number) {
    super(`git ${subcommand(args)} timed out after ${formatSeconds(timeoutMs)}`);
    this.name = "GitTimeoutError";
  }
}

/** Grace period between SIGTERM (git removes its lock files) and SIGKILL. */
const TERM_GRACE_MS = 2000;

/**
 * Spawns git with an argv array, stdin closed, in its own process group so a timeout
 * also stops the helpers it started (ssh, git-remote-http) instead of leaving them behind.
 */
export const spawnGit: RunGit = async ({ args, env, timeoutMs, cwd }) => {
  const child = Bun.spawn(["git", ...args], {
    env,
    cwd,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    detached: true,
  });
  const finished = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const result = await Promise.race([finished, timedOut]);
  clearTimeout(timer);
  if (result === "timeout") {
    await stopGroup(child.pid, child.exited);
    throw new GitTimeoutError(args, timeoutMs);
  }
  const [stdout, stderr, exitCode] = result;
  return { exitCode, stdout, stderr };
};

async function stopGroup(pid: number, exited: Promise<number>): Promise<void> {
  signalGroup(pid, "SIGTERM");
  const gone = await Promise.race([exited.then(() => true), Bun.sleep(TERM_GRACE_MS).then(() => false)]);
  // Helpers may outlive git itself, so the whole group gets the final signal either way.
  signalGroup(pid, "SIGKILL");
  if (!gone) await exited;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** `fetch` for `git -c a=b --git-dir=x fetch …`, for messages. */
export function subcommand(args: string[]): string {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "-c" || arg === "-C") i++;
    else if (!arg.startsWith("-")) return arg;
  }
  return "command";
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)}s`;
}
