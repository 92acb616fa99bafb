// Imported by main.ts before anything else is loaded: it must stay free of imports.

/**
 * The command line when it is `berth [--config FILE] edge [--config FILE] [--worker N]` and
 * nothing else; null for anything the CLI should parse (help, unknown flags), so errors read the
 * same. `--worker N` is how the first edge process starts its workers (see edge/workers.ts).
 */
export function edgeCommandLine(argv: string[]): { configFile?: string; worker?: number } | null {
  let configFile: string | undefined;
  let worker: number | undefined;
  let edge = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "edge" && !edge) edge = true;
    else if (arg === "--config" && i + 1 < argv.length) configFile = argv[++i];
    else if (arg.startsWith("--config=")) configFile = arg.slice(9);
    else if (arg === "--worker" && /^[1-9]\d?$/.test(argv[i + 1] ?? "")) worker = Number(argv[++i]);
    else return null;
  }
  return edge ? { configFile, worker } : null;
}
