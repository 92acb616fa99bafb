import { existsSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "../..");
export const BINARY = join(ROOT, "dist/berth");

/** Stops the benchmark with one line when a program it drives is missing; it never installs anything itself. */
export function requireProgram(name: string, debianPackage = name): string {
  const path = Bun.which(name) ?? Bun.which(name, { PATH: "/usr/sbin:/sbin" });
  if (!path) fail(`${name} is not installed: apt-get install -y ${debianPackage}`);
  return path;
}

/** The compiled binary, built from this checkout when it is missing. */
export function requireBinary(): string {
  if (existsSync(BINARY)) return BINARY;
  console.log("dist/berth is missing: running `bun run build`");
  const build = Bun.spawnSync(["bun", "run", "build"], { cwd: ROOT, stdout: "inherit", stderr: "inherit" });
  if (build.exitCode !== 0 || !existsSync(BINARY)) fail("`bun run build` failed");
  return BINARY;
}

/** The integration-test environment (Docker engine, base images, git over HTTP) the deploy benchmarks run on. */
export function requireTestEnv(): void {
  const file = join(process.env.BERTH_TEST_STATE ?? join(ROOT, ".test-env"), "env");
  if (!existsSync(file)) fail(`the test environment is not set up (${file} is missing): run \`bash scripts/test-env/setup.sh\` as root first`);
  const docker = Bun.spawnSync(["docker", "version", "--format", "{{.Server.Version}}"], { stdout: "pipe", stderr: "pipe" });
  if (docker.exitCode !== 0) fail(`the Docker engine does not answer (${docker.stderr.toString().trim().split("\n")[0]}): run \`bash scripts/test-env/setup.sh\``);
}

export function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}
