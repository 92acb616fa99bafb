// Bundles the web console (ui/src, Preact and uPlot) into dist/console/console.{js,css}, which
// src/api/console.ts embeds into the binary as text: no CDN and no node_modules at run time.
// Prints the gzipped size and fails above the budget, so the console stays quick on a phone.
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");
export const CONSOLE_DIR = join(ROOT, "dist/console");
const ENTRY = join(ROOT, "ui/src/main.tsx");
/** Gzipped JS + CSS, in bytes. */
export const BUDGET_BYTES = 250 * 1024;

export interface BundleReport {
  jsBytes: number;
  cssBytes: number;
  gzippedBytes: number;
}

/** Bundles the console; throws when the build fails or the bundle is over budget. */
export async function bundleConsole(): Promise<BundleReport> {
  const result = await Bun.build({ entrypoints: [ENTRY], target: "browser", minify: true, format: "esm", define: { "process.env.NODE_ENV": '"production"' } });
  if (!result.success) throw new AggregateError(result.logs, `bundling the console failed: ${result.logs.map(String).join("\n")}`);
  const js = await result.outputs.find((o) => o.path.endsWith(".js"))!.text();
  const css = (await Promise.all(result.outputs.filter((o) => o.path.endsWith(".css")).map((o) => o.text()))).join("\n");
  mkdirSync(CONSOLE_DIR, { recursive: true });
  writeFileSync(join(CONSOLE_DIR, "console.js"), js);
  writeFileSync(join(CONSOLE_DIR, "console.css"), css);
  const gzippedBytes = Bun.gzipSync(js).length + Bun.gzipSync(css).length;
  const report = { jsBytes: js.length, cssBytes: css.length, gzippedBytes };
  if (gzippedBytes > BUDGET_BYTES) throw new Error(`the console bundle is ${kb(gzippedBytes)} gzipped, over its budget of ${kb(BUDGET_BYTES)}`);
  return report;
}

export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** Bundles when a ui/ or src/client/ file is newer than the bundle (or there is none), so tests and `bun src/main.ts` find it. */
export async function ensureConsoleBundle(): Promise<void> {
  const out = join(CONSOLE_DIR, "console.js");
  const built = existsSync(out) ? statSync(out).mtimeMs : 0;
  // The console bundles the typed client too: a change there makes the bundle stale as well.
  const sources = ["ui/**/*", "src/client/**/*"].flatMap((pattern) => [...new Bun.Glob(pattern).scanSync({ cwd: ROOT })]);
  const stale = sources.some((f) => statSync(join(ROOT, f)).mtimeMs > built);
  if (stale || !existsSync(join(CONSOLE_DIR, "console.css"))) await bundleConsole();
}

if (import.meta.main) {
  try {
    const r = await bundleConsole();
    console.log(`console bundle: ${kb(r.jsBytes)} JS + ${kb(r.cssBytes)} CSS, ${kb(r.gzippedBytes)} gzipped (budget ${kb(BUDGET_BYTES)})`);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
