// Writes docs/cli-reference.md from the CLI's verb table; src/cli/docs.test.ts fails when it is stale.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cliReference } from "../src/cli/help.ts";
import { VERBS } from "../src/cli/verbs/index.ts";

const path = join(import.meta.dir, "..", "docs", "cli-reference.md");
writeFileSync(path, cliReference(VERBS));
console.log(`wrote ${path} (${VERBS.length} commands)`);
