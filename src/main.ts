#!/usr/bin/env bun
import { edgeCommandLine } from "./edge/command-line.ts";

const argv = process.argv.slice(2);
const edge = edgeCommandLine(argv);
// The edge and the CLI are entry points of their own in the build (scripts/compile.ts), and this
// file only chooses between them: the specifiers are variables so this bundle takes in neither.
// The data-plane process then never parses the control plane's code, nor the CLI the edge's.
const entry = (path: string) => (Bun.main.startsWith("/$bunfs/") ? `/$bunfs/root/${path}.js` : `${import.meta.dir}/${path}.ts`);
const run: Promise<number> = edge
  ? (import(entry("edge/edge-entry")) as Promise<typeof import("./edge/edge-entry.ts")>).then((m) => m.runEdgeCommand(edge.configFile, edge.worker))
  : (import(entry("cli/cli-entry")) as Promise<typeof import("./cli/cli-entry.ts")>).then((m) => m.runCliCommand(argv));
run.then((status) => process.exit(status));
