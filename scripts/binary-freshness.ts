// Whether dist/berth is older than what it is built from. The end-to-end tests run the
// compiled binary, so a stale one would test yesterday's code.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "..");
export const BINARY_PATH = join(ROOT, "dist/berth");

const INPUTS = ["src/**/*", "ui/**/*", "migrations/**/*", "scripts/build.ts", "scripts/compile.ts", "scripts/bundle-console.ts", "scripts/embed-migrations.ts", "package.json", "bun.lock"];

/** The newest input file that is newer than the binary, or null when the binary is fresh. */
export function staleBecause(): string | null {
  if (!existsSync(BINARY_PATH)) return "dist/berth is missing";
  const built = statSync(BINARY_PATH).mtimeMs;
  for (const pattern of INPUTS) {
    for (const file of new Bun.Glob(pattern).scanSync({ cwd: ROOT, dot: false })) {
      // The generated migrations module is rewritten by every build, just before the binary.
      if (file.endsWith("migrations.gen.ts") || file.endsWith(".test.ts") || file.endsWith(".testing.ts")) continue;
      if (statSync(join(ROOT, file)).mtimeMs > built) return `${file} is newer than dist/berth`;
    }
  }
  return null;
}

/**
 * Rebuilds dist/berth when stale. Several test processes may start at once: the build runs
 * under an exclusive lock (flock), and whoever gets it second finds the binary fresh.
 */
export function ensureFreshBinary(): void {
  if (!staleBecause()) return;
  const lock = join(ROOT, "dist/.build.lock");
  Bun.spawnSync(["mkdir", "-p", join(ROOT, "dist")]);
  const result = Bun.spawnSync(["flock", lock, process.execPath, join(ROOT, "scripts/build-if-stale.ts")], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`building dist/berth failed: ${result.stderr.toString().trim() || result.stdout.toString().trim()}`);
}
