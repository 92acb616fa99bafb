import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BerthError } from "../../core/errors.ts";
import type { GitCredentials } from "../../ports/git-source.ts";
import type { Transport } from "./remote-url.ts";

/** Environment additions for one git call, the secrets to mask, and how to clean up. */
export interface CallCredentials {
  env: Record<string, string>;
  secrets: string[];
  dispose(): Promise<void>;
}

/**
 * Credentials for one git call. Nothing secret goes into argv or the URL: an https token
 * travels as an `http.extraHeader` set through GIT_CONFIG_* variables, and an ssh key as a
 * 0600 file in a private directory that lives only as long as the call.
 */
export async function prepareCredentials(options: {
  transport: Transport;
  credentials?: GitCredentials;
  knownHostsFile: string;
  tempDir: string;
}): Promise<CallCredentials> {
  const { transport, credentials = {}, knownHostsFile, tempDir } = options;
  if (transport === "http" && credentials.httpsToken) return tokenCredentials(credentials.httpsToken);
  if (transport === "ssh") return sshCredentials(credentials.sshPrivateKey, knownHostsFile, tempDir);
  return { env: {}, secrets: [], dispose: async () => {} };
}

function tokenCredentials(token: string): CallCredentials {
  if (/[\x00-\x1f\x7f]/.test(token)) throw new BerthError("invalid", "the https token must not contain control characters");
  // Basic auth with the user name `x-access-token` is accepted by GitHub and Gitea; GitLab
  // accepts any user name with a personal, project or deploy token as the password.
  const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
  return {
    env: {
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "http.extraHeader",
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    },
    secrets: [token, basic],
    dispose: async () => {},
  };
}

async function sshCredentials(privateKey: string | undefined, knownHostsFile: string, tempDir: string): Promise<CallCredentials> {
  // Without a key of its own a call must not fall back to the host's keys or agent.
  const identity = ["-o", "IdentityFile=none"];
  let keyDir: string | undefined;
  let secrets: string[] = [];
  if (privateKey) {
    const text = privateKey.replace(/\r\n?/g, "\n").trim();
    if (!/^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----\n[\s\S]+\n-----END [A-Z0-9 ]*PRIVATE KEY-----$/.test(text)) {
      throw new BerthError("invalid", "the ssh deploy key is not an OpenSSH or PEM private key");
    }
    keyDir = await mkdtemp(join(tempDir, "berth-key-"));
    await chmod(keyDir, 0o700);
    const keyFile = join(keyDir, "id");
    await writeFile(keyFile, `${text}\n`, { mode: 0o600, flag: "wx" });
    identity.splice(0, 2, "-i", keyFile);
    secrets = text.split("\n").filter((line) => line.length >= 16 && !line.startsWith("-----"));
  }
  const command = [
    "ssh",
    "-F", "/dev/null",
    ...identity,
    "-o", "IdentitiesOnly=yes",
    "-o", "IdentityAgent=none",
    "-o", `UserKnownHostsFile=${knownHostsFile}`,
    "-o", "StrictHostKeyChecking=accept-new",
    "-o", "BatchMode=yes",
  ];
  const dir = keyDir;
  return {
    // git runs GIT_SSH_COMMAND through sh, so every piece is quoted.
    env: { GIT_SSH_COMMAND: command.map(shellQuote).join(" "), GIT_SSH_VARIANT: "ssh" },
    secrets,
    dispose: async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_\-=./:]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
