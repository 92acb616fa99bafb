import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BerthError } from "../../core/errors.ts";
import { baseGitEnv } from "./git-env.ts";

/** A new ed25519 key pair in OpenSSH formats, made by ssh-keygen in a private temp dir. */
export async function generateDeployKey(tempDir: string = tmpdir()): Promise<{ privateKey: string; publicKey: string }> {
  const dir = await mkdtemp(join(tempDir, "berth-keygen-"));
  try {
    const file = join(dir, "id_ed25519");
    const child = Bun.spawn(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "berth-deploy-key", "-f", file], {
      stdin: "ignore",
      stdout: "ignore",
      stderr: "pipe",
      env: baseGitEnv(),
    });
    const [stderr, exitCode] = await Promise.all([new Response(child.stderr).text(), child.exited]);
    if (exitCode !== 0) {
      throw new BerthError("internal", `ssh-keygen failed: ${stderr.trim().split("\n").at(-1) ?? `exit ${exitCode}`}`);
    }
    const [privateKey, publicKey] = await Promise.all([readFile(file, "utf8"), readFile(`${file}.pub`, "utf8")]);
    return { privateKey, publicKey: publicKey.trim() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
