// Prints the compiled binary's TUI startup: from spawning `dist/berth tui` in a tmux pane to the
// first screen that shows the project list (whoami and the projects answered, first frame drawn),
// next to `berth help` (the CLI's own start) measured the same
// way. Target: first paint < 300 ms. Needs tmux and a built dist/berth; starts its own serve.
import { join } from "node:path";
import { startServe } from "../test/support/binary.ts";
import { sh } from "../test/support/sh.ts";

const RUNS = Number(process.argv[2] ?? 10);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const server = await startServe();
// A tmux server per run: one killed and one started at once on the same socket race.
let run = 0;
const tmux = (args: string[]) => sh(["tmux", "-L", `berth-bench-tui-${process.pid}-${run}`, ...args]);
const envArgs = Object.entries({ ...server.env, TERM: "xterm-256color" }).map(([k, v]) => `${k}=${v}`);

/** Milliseconds from spawn until the pane shows `marker`; the pane stays open a while to be read. */
async function firstPaint(argv: string[], marker: string): Promise<number> {
  const started = performance.now();
  const opened = tmux(["new-session", "-d", "-s", "bench", "-x", "100", "-y", "30", "env", "-i", ...envArgs, "sh", "-c", `${argv.join(" ")}; sleep 5`]);
  if (opened.code !== 0) throw new Error(`tmux: ${opened.err}`);
  for (;;) {
    if (tmux(["capture-pane", "-p", "-t", "bench"]).out.includes(marker)) break;
    if (performance.now() - started > 10_000) throw new Error(`${argv.join(" ")} never showed ${marker}:\n${tmux(["capture-pane", "-p", "-t", "bench"]).out}`);
    await Bun.sleep(2);
  }
  const ms = performance.now() - started;
  tmux(["kill-server"]);
  run++;
  return ms;
}

try {
  const config = join(server.home, "config.yaml");
  const binary = join(import.meta.dir, "../dist/berth");
  const help = [];
  const tui = [];
  for (let i = 0; i < RUNS; i++) {
    help.push(await firstPaint([binary, "help", "|", "head", "-3"], "Usage"));
    tui.push(await firstPaint([binary, "tui", "--config", config], "PROJECTS"));
  }
  const load = (await Bun.file("/proc/loadavg").text()).split(" ").slice(0, 3).join(" ");
  console.log(`runs: ${RUNS}, load average ${load}`);
  console.log(`berth help, spawn → text on screen: median ${median(help).toFixed(0)} ms (min ${Math.min(...help).toFixed(0)})`);
  console.log(`berth tui, spawn → first screen with the project list: median ${median(tui).toFixed(0)} ms (min ${Math.min(...tui).toFixed(0)}); target < 300 ms`);
} finally {
  tmux(["kill-server"]);
  await server.close();
}
