import { expect, test } from "bun:test";
// test-lane: fast
import { readFileSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";

const src = join(import.meta.dir, "../src");

/** What each layer may not import: packages by name, and folders of src/. */
const RULES: { layer: string; forbidden: string[]; except?: string[] }[] = [
  { layer: "core/", forbidden: ["hono", "dockerode", "drizzle-orm", "bun:sqlite", "react", "ink", "adapters/", "api/", "cli/", "tui/", "client/", "app.ts"] },
  { layer: "ports/", forbidden: ["hono", "dockerode", "drizzle-orm", "bun:sqlite", "adapters/", "api/", "cli/", "tui/", "client/", "app.ts"] },
  { layer: "adapters/", forbidden: ["hono", "react", "ink", "api/", "cli/", "tui/", "client/", "app.ts"] },
  { layer: "api/", forbidden: ["dockerode", "drizzle-orm", "bun:sqlite", "adapters/", "cli/", "tui/", "client/", "app.ts"] },
  { layer: "client/", forbidden: ["dockerode", "drizzle-orm", "bun:sqlite", "adapters/", "cli/", "tui/", "app.ts"] },
  // The CLI and TUI talk to the API through the client; only `serve` and `migrate` start the server itself.
  { layer: "cli/", forbidden: ["dockerode", "drizzle-orm", "bun:sqlite", "adapters/", "api/index.ts", "app.ts"], except: ["cli/verbs/serve.ts"] },
  // The edge is its own process: it reads the state DB and never goes through the control plane.
  { layer: "edge/", forbidden: ["hono", "dockerode", "react", "ink", "api/", "cli/", "tui/", "client/", "core/", "app.ts"] },
  // Small pure helpers both the edge and the control plane use: they depend on nothing of Berth's.
  { layer: "lib/", forbidden: ["hono", "dockerode", "drizzle-orm", "bun:sqlite", "react", "ink", "adapters/", "api/", "cli/", "tui/", "client/", "core/", "edge/", "ports/", "app.ts", "config.ts"] },
  // Operations on the data dir itself (backup, restore): files and SQLite, never the API or the engine.
  { layer: "backup/", forbidden: ["hono", "dockerode", "react", "ink", "api/", "cli/", "tui/", "client/", "app.ts"] },
  { layer: "upgrade/", forbidden: ["hono", "dockerode", "drizzle-orm", "react", "ink", "api/", "cli/", "tui/", "client/", "core/", "app.ts"] },
  { layer: "tui/", forbidden: ["dockerode", "drizzle-orm", "bun:sqlite", "adapters/", "app.ts"] },
  // SSH into the TUI: a client of the API like the TUI itself, wired by ssh-wiring.ts.
  { layer: "ssh/", forbidden: ["dockerode", "drizzle-orm", "bun:sqlite", "adapters/", "api/", "cli/", "core/", "app.ts"] },
];

function sources(): string[] {
  return [...new Bun.Glob("**/*.{ts,tsx}").scanSync(src)].filter((f) => !f.endsWith(".test.ts") && !f.endsWith(".test.tsx"));
}

/** Each import of a file, as a package name or a path relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(src, file), "utf8");
  const specs = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]!);
  return specs.map((s) => (s.startsWith(".") ? relative(src, resolve(dirname(join(src, file)), s)) : s));
}

const matches = (spec: string, rule: string) =>
  rule.endsWith("/") || rule.endsWith(".ts") ? spec.startsWith(rule) : spec === rule || spec.startsWith(`${rule}/`);

test("imports only go one way through the layers", () => {
  const violations: string[] = [];
  for (const file of sources()) {
    for (const rule of RULES) {
      if (!file.startsWith(rule.layer) || rule.except?.includes(file)) continue;
      for (const spec of importsOf(file)) {
        const hit = rule.forbidden.find((f) => matches(spec, f));
        if (hit) violations.push(`${file} imports ${spec}`);
      }
    }
  }
  expect(violations).toEqual([]);
});

test("the rule check itself catches a wrong import", () => {
  expect(matches("dockerode", "dockerode")).toBe(true);
  expect(matches("adapters/store/db.ts", "adapters/")).toBe(true);
  expect(matches("hono-openapi", "hono")).toBe(false);
  expect(importsOf("app.ts")).toContain("adapters/store/db.ts");
});

test("only config.ts reads process.env", () => {
  const readers = sources().filter((f) => f !== "config.ts" && /process\.env\b/.test(readFileSync(join(src, f), "utf8")));
  expect(readers).toEqual([]);
});

test("the web console reaches the server only through the typed client", () => {
  const ui = join(import.meta.dir, "../ui/src");
  const allowed = (spec: string) => /^(preact|uplot)(\/|$)/.test(spec) || spec.startsWith("./") || spec.startsWith("../") && !spec.startsWith("../../") || spec.startsWith("../../src/client/") || spec.startsWith("../../../src/client/");
  const violations: string[] = [];
  for (const file of new Bun.Glob("**/*.{ts,tsx}").scanSync(ui)) {
    if (file.endsWith(".test.ts")) continue;
    const text = readFileSync(join(ui, file), "utf8");
    for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']|import\s+["']([^"']+)["']/g)) {
      const spec = m[1] ?? m[2]!;
      if (!allowed(spec)) violations.push(`ui/src/${file} imports ${spec}`);
    }
  }
  expect(violations).toEqual([]);
});
