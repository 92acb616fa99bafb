#!/usr/bin/env bun
import { runCli } from "./cli/run.ts";
import { loadClientSettings } from "./config.ts";

runCli(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  color: Boolean(process.stdout.isTTY) && !loadClientSettings().noColor,
  ask: async (question) => (process.stdin.isTTY ? prompt(question) : null),
}).then((status) => process.exit(status));
