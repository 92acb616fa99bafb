// Builds dist/berth only when its sources changed since the last build (see binary-freshness.ts).
import { staleBecause } from "./binary-freshness.ts";

const why = staleBecause();
if (why) {
  console.error(`rebuilding dist/berth: ${why}`);
  const build = Bun.spawnSync([process.execPath, "scripts/build.ts"], { cwd: `${import.meta.dir}/..`, stdout: "inherit", stderr: "inherit" });
  process.exit(build.exitCode ?? 1);
}
