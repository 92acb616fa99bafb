// Builds dist/berth: one executable with the migrations and the web console inside.
import { $ } from "bun";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
await $`bun ${join(root, "scripts/embed-migrations.ts")}`.quiet();

const result = await Bun.build({
  entrypoints: [join(root, "src/main.ts")],
  compile: { outfile: join(root, "dist/berth") },
  minify: true,
  bytecode: true,
  target: "bun",
  plugins: [
    {
      // Ink imports react-devtools-core only when DEV is set; the binary never needs it.
      name: "stub-react-devtools",
      setup(build) {
        build.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: "react-devtools-core", namespace: "stub" }));
        build.onLoad({ filter: /.*/, namespace: "stub" }, () => ({ contents: "export default {};", loader: "js" }));
      },
    },
  ],
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
console.log(`built ${join(root, "dist/berth")}`);
