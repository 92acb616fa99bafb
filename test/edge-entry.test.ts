import { expect, test } from "bun:test";
// test-lane: fast
import { readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");

/** The modules a bundle of these entries takes in, as paths relative to the repository (packages as node_modules/...). */
async function bundled(entries: string[]): Promise<string[]> {
  // Ink's optional devtools import is stubbed by the real build (scripts/compile.ts); here it only has to resolve.
  const result = await Bun.build({ entrypoints: entries.map((e) => join(root, e)), target: "bun", metafile: true, throw: false, external: ["react-devtools-core"] });
  if (!result.success) throw new Error(`bundling ${entries.join(", ")} failed: ${result.logs.map(String).join("\n")}`);
  return Object.keys(result.metafile!.inputs);
}

const packageOf = (input: string) => {
  const parts = input.split("node_modules/").at(-1)!.split("/");
  return parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
};

// What the edge needs outside src/edge/: its read-only view of the DB, the secret box for
// certificate keys, the settings, the version, the small shared helpers; and what those need.
const NEEDED = ["src/adapters/store/edge-reader.ts", "src/adapters/crypto/secret-box.ts", "src/config.ts", "src/version.ts", "src/lib/throttle.ts", "src/lib/cidr.ts", "src/lib/access-log.ts", "src/lib/latency-buckets.ts"];
// Control-plane packages: any of these in the edge means it reached the control plane.
const CONTROL_PLANE = ["hono", "dockerode", "ssh2", "react", "ink", "acme-client", "@kubernetes/client-node", "@peculiar/x509"];

test("the edge process loads the edge and what it needs, never the control plane", async () => {
  const [edge, needed] = await Promise.all([bundled(["src/edge/edge-entry.ts"]), bundled(NEEDED)]);
  const allowed = new Set(needed);
  const strays = edge.filter((input) => !input.startsWith("src/edge/") && !input.includes("node_modules/") && !allowed.has(input));
  expect(strays).toEqual([]);
  const packages = new Set(edge.filter((input) => input.includes("node_modules/")).map(packageOf));
  expect(CONTROL_PLANE.filter((name) => packages.has(name))).toEqual([]);
  // And it is the edge: the check above is not passing on an empty bundle.
  expect(edge).toContain("src/edge/server.ts");
  expect(edge).toContain("src/edge/upstream-pool.ts");
});

test("the binary's entry imports nothing before it knows whether it is the edge", () => {
  const main = readFileSync(join(root, "src/main.ts"), "utf8");
  const staticImports = [...main.matchAll(/^import\s[^;]*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]);
  expect(staticImports).toEqual(["./edge/command-line.ts"]);
  expect(readFileSync(join(root, "src/edge/command-line.ts"), "utf8")).not.toMatch(/^import\s/m);
  // Built as entries of their own, so the edge bundle is not the CLI's and neither is main's.
  const compile = readFileSync(join(root, "scripts/compile.ts"), "utf8");
  expect(compile).toContain('"src/edge/edge-entry.ts"');
  expect(compile).toContain('"src/cli/cli-entry.ts"');
});

// A dynamic import with a literal specifier is bundled into the importer: the process would parse
// the whole CLI before running the edge. Only the argv check may be in the bundle every verb loads.
test("the bundle every process starts from holds the dispatch and nothing of the CLI or the edge", async () => {
  expect((await bundled(["src/main.ts"])).sort()).toEqual(["src/edge/command-line.ts", "src/main.ts"]);
});

test("the check sees a wrong import: the CLI's entry reaches the control plane", async () => {
  const cli = await bundled(["src/cli/run.ts"]);
  expect(cli.some((input) => input.startsWith("src/core/"))).toBe(true);
  expect(cli.map(packageOf)).toContain("hono");
});
