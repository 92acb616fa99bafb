/** The few systemctl and systemd-run calls an upgrade makes; argv arrays, never a shell. */
export interface Systemd {
  has(unit: string): Promise<boolean>;
  run(args: string[]): Promise<void>;
}

async function exec(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const proc = Bun.spawn(argv, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out, err };
}

export const hostSystemd: Systemd = {
  async has(unit) {
    const result = await exec(["systemctl", "show", "-p", "LoadState", "--value", unit]).catch(() => ({ code: 1, out: "", err: "" }));
    return result.code === 0 && result.out.trim() === "loaded";
  },
  async run(args) {
    const [command, ...rest] = args;
    const result = await exec([command!, ...rest]);
    if (result.code !== 0) throw new Error(`${args.join(" ")} failed: ${(result.err || result.out).trim().split("\n")[0]}`);
  },
};
