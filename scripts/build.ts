// Builds dist/berth: one executable with the migrations and the web console inside.
import { join } from "node:path";
import { compileBerth, currentCommit, ROOT } from "./compile.ts";

const outfile = join(ROOT, "dist/berth");
try {
  await compileBerth({ outfile, commit: await currentCommit() });
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
console.log(`built ${outfile}`);
