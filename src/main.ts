#!/usr/bin/env bun
import { runCli } from "./cli/run.ts";

const status = await runCli(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
process.exit(status);
