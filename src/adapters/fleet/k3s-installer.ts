import type { RunInstaller } from "../../core/fleet/init.ts";

/** Lines of the install script's output kept for an error. */
const TAIL_LINES = 8;

/**
 * Runs the k3s install script on this machine, argv only. PATH comes along (the script calls
 * systemctl and friends); nothing else of serve's environment does.
 */
export function createK3sInstaller(path: string | undefined): RunInstaller {
  return async (argv, env) => {
    const proc = Bun.spawn(argv, { env: { PATH: path ?? "/usr/sbin:/usr/bin:/sbin:/bin", ...env }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    if (code !== 0) throw new Error(`the k3s install script failed (exit ${code}): ${(err || out).trim().split("\n").slice(-TAIL_LINES).join(" | ")}`);
  };
}
