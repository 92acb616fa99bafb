// One way to compile the berth executable, for dist/berth (build.ts) and the release binaries (release.ts).
import { $ } from "bun";
import { join } from "node:path";
import { bundleConsole, kb, type BundleReport } from "./bundle-console.ts";

export const ROOT = join(import.meta.dir, "..");

/** The commit being built, "-dirty" when the tree has changes; "unknown" outside a git checkout. */
export async function currentCommit(): Promise<string> {
  const head = await $`git -C ${ROOT} rev-parse --short=12 HEAD`.quiet().nothrow();
  if (head.exitCode !== 0) return "unknown";
  const dirty = (await $`git -C ${ROOT} status --porcelain --untracked-files=no`.quiet().nothrow()).stdout.toString().trim();
  return `${head.stdout.toString().trim()}${dirty ? "-dirty" : ""}`;
}

/** Compiles src/main.ts (and the two entries it loads) with the migrations and the web console inside; `target` as `bun build --target` takes it (bun-linux-arm64…). */
export async function compileBerth(options: { outfile: string; target?: string; commit: string; version?: string }): Promise<BundleReport> {
  await $`bun ${join(ROOT, "scripts/embed-migrations.ts")}`.quiet();
  const bundle = await bundleConsole();
  const result = await Bun.build({
    // src/main.ts only dispatches: the edge's and the CLI's entries are bundled apart from it and
    // from each other (embedded as /$bunfs/root/edge/edge-entry.js and /$bunfs/root/cli/cli-entry.js).
    entrypoints: [join(ROOT, "src/main.ts"), join(ROOT, "src/edge/edge-entry.ts"), join(ROOT, "src/cli/cli-entry.ts")],
    compile: options.target ? { outfile: options.outfile, target: options.target as Bun.Build.CompileTarget } : { outfile: options.outfile },
    // Identifiers are not renamed: ssh2 tells its channel kinds apart by constructor.name, and a
    // renamed class turned a refused `ssh host ls` into a crash of serve (keepNames did not help).
    minify: { whitespace: true, syntax: true, identifiers: false },
    bytecode: true,
    target: "bun",
    // ESM: Ink's layout engine (yoga) loads its WebAssembly with a top-level await, which CommonJS bytecode cannot hold.
    format: "esm",
    define: { BERTH_COMMIT: JSON.stringify(options.commit), ...(options.version ? { BERTH_BUILD_VERSION: JSON.stringify(options.version) } : {}) },
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
  if (!result.success) throw new AggregateError(result.logs, `compiling ${options.outfile} failed: ${result.logs.map(String).join("\n")}`);
  return bundle;
}

/** One line on the console bundle's size, printed by every build. */
export const bundleLine = (r: BundleReport) => `web console: ${kb(r.jsBytes)} JS + ${kb(r.cssBytes)} CSS, ${kb(r.gzippedBytes)} gzipped`;
