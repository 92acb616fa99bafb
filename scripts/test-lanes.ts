// Which lane a test file runs in. The rules look at where a file lives and what it imports,
// so a new file lands in the right lane without anyone editing a list:
//   - fast: no engine, no network, no child processes (core, edge logic, API through
//     app.request, store on SQLite, crypto, pure adapters). Every src/ and scripts/ test
//     by default.
//   - slow: everything under test/ (end-to-end: the compiled binary, the real engine, git
//     servers, a browser), and any test that imports a kit reaching those.
// A file may say otherwise in a comment line of its own: `// test-lane: fast` (a test/ file
// that needs nothing real) or `// test-lane: sequential` (slow, and timing-sensitive: runs
// alone, after the parallel ones).
import { readFileSync } from "node:fs";

export type Lane = "fast" | "slow" | "sequential";

/** Imports that mean the engine, a network server or real processes are involved. */
const SLOW_IMPORTS = [
  /^dockerode$/,
  /^playwright-core$/,
  /\/lazy-engine(\.ts)?$/,
  /\/runtime-test-kit(\.ts)?$/,
  /\/build-test-kit(\.ts)?$/,
  /\/local-repo\.testing(\.ts)?$/,
  /\/process-scan\.testing(\.ts)?$/,
  /\/support\/test-env(\.ts)?$/,
  /\/support\/binary(\.ts)?$/,
  /\/support\/sh(\.ts)?$/,
];

export const TEST_GLOBS = ["src/**/*.test.{ts,tsx}", "ui/**/*.test.{ts,tsx}", "scripts/**/*.test.ts", "test/**/*.test.ts"];

export function importsOf(text: string): string[] {
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]!);
}

/** The lane of a test file, from its path (relative to the repository) and its text. */
export function laneOf(file: string, text: string): Lane {
  const marked = /^\/\/ test-lane: (fast|slow|sequential)\b/m.exec(text)?.[1] as Lane | undefined;
  if (marked) return marked;
  if (file.startsWith("test/")) return "slow";
  return importsOf(text).some((spec) => SLOW_IMPORTS.some((pattern) => pattern.test(spec))) ? "slow" : "fast";
}

/** Every test file of the repository with its lane, sorted by path. */
export function classify(root: string): { file: string; lane: Lane }[] {
  const files = new Set<string>();
  for (const glob of TEST_GLOBS) for (const file of new Bun.Glob(glob).scanSync({ cwd: root })) files.add(file);
  return [...files].sort().map((file) => ({ file, lane: laneOf(file, readFileSync(`${root}/${file}`, "utf8")) }));
}
