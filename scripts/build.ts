// Builds dist/berth: one executable with the migrations and the web console inside.
import { join } from "node:path";
import { bundleLine, compileBerth, currentCommit, ROOT } from "./compile.ts";

const outfile = join(ROOT, "dist/berth");
try {
  console.log(bundleLine(await compileBerth({ outfile, commit: await currentCommit() })));
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
console.log(`built ${outfile}`);
