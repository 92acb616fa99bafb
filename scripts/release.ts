// Builds the release binaries into dist/release/: berth-linux-x64, berth-linux-arm64 and SHA256SUMS,
// the folder install.sh and `berth upgrade` download from (BERTH_DOWNLOAD_URL points at it).
// Usage: bun run release [--only x64|arm64] [--version V (default: package.json's)] [--out DIR]
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pkg from "../package.json" with { type: "json" };
import { compileBerth, currentCommit, ROOT } from "./compile.ts";

const TARGETS = { x64: "bun-linux-x64", arm64: "bun-linux-arm64" } as const;
type Arch = keyof typeof TARGETS;

const { values } = parseArgs({ options: { only: { type: "string" }, version: { type: "string" }, out: { type: "string" } } });
const version = values.version ?? pkg.version;
const arches = (values.only ? [values.only] : Object.keys(TARGETS)) as Arch[];
for (const arch of arches) if (!(arch in TARGETS)) throw new Error(`--only: unknown architecture ${arch} (x64 or arm64)`);

const out = values.out ?? join(ROOT, "dist/release");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const commit = await currentCommit();
const built: string[] = [];
const failed: string[] = [];
for (const arch of arches) {
  const name = `berth-linux-${arch}`;
  try {
    await compileBerth({ outfile: join(out, name), target: TARGETS[arch], commit, version });
    built.push(name);
  } catch (error) {
    // A target other than this machine's needs Bun's runtime for it, which Bun downloads on first use.
    failed.push(name);
    console.error(`${name}: not built: ${(error as Error).message.split("\n")[0]}`);
    console.error(`${name}: cross-compiling needs Bun to fetch the ${TARGETS[arch]} runtime once; on a machine without that download, build it on a ${arch} machine with: bun run release --only ${arch}`);
  }
}
const sums = built.map((name) => `${createHash("sha256").update(readFileSync(join(out, name))).digest("hex")}  ${name}\n`).join("");
writeFileSync(join(out, "SHA256SUMS"), sums);
console.log(`berth ${version} (commit ${commit}) in ${out}`);
for (const name of built) console.log(`  ${name}  ${(statSync(join(out, name)).size / 1024 / 1024).toFixed(1)} MiB`);
console.log("  SHA256SUMS");
if (built.length === 0 || failed.includes("berth-linux-x64")) process.exit(1);
if (failed.length) console.error(`release incomplete: ${failed.join(", ")} missing (see above)`);
