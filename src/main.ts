#!/usr/bin/env bun
import { edgeCommandLine } from "./edge/command-line.ts";

const argv = process.argv.slice(2);
const edge = edgeCommandLine(argv);
// The edge is a second entry point of the build (scripts/compile.ts), bundled with only what it
// needs; the specifier is a variable so this bundle does not take it in. The data-plane process
// then never parses the control plane's code (see edge/edge-entry.ts).
const edgeEntry = Bun.main.startsWith("/$bunfs/") ? "/$bunfs/root/edge/edge-entry.js" : `${import.meta.dir}/edge/edge-entry.ts`;
const run: Promise<number> = edge
  ? (import(edgeEntry) as Promise<typeof import("./edge/edge-entry.ts")>).then((m) => m.runEdgeCommand(edge.configFile, edge.worker))
  : Promise.all([import("./cli/run.ts"), import("./config.ts")]).then(([{ runCli }, { loadClientSettings }]) =>
      runCli(argv, {
        out: (line) => console.log(line),
        err: (line) => console.error(line),
        color: Boolean(process.stdout.isTTY) && !loadClientSettings().noColor,
        ask: async (question) => (process.stdin.isTTY ? prompt(question) : null),
      }),
    );
run.then((status) => process.exit(status));
