import { createHash } from "node:crypto";
import ssh2 from "ssh2";
import { invalid } from "../../core/errors.ts";
import type { NodeSession, NodeShell, RunResult } from "../../ports/node-shell.ts";

/** How long a node has to answer and finish the key exchange. */
const READY_TIMEOUT_MS = 20_000;
/** Output kept per command: enough for a script's error, bounded whatever a node sends. */
const MAX_OUTPUT = 256 * 1024;

/** OpenSSH's fingerprint of a public key blob: SHA256: and unpadded base64. */
export const fingerprint = (key: Buffer) => `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;

/** One argument as the node's POSIX shell reads it back unchanged: single quotes, each ' as '\''. */
export const shellQuote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/**
 * Nodes over SSH with the ssh2 library. The host key is checked inside the key exchange: an
 * unknown key ends the connection before authentication, so no command can run on a machine
 * that was not pinned.
 */
export function createSshNodeShell(): NodeShell {
  return {
    connect(target) {
      return new Promise<NodeSession>((resolve, reject) => {
        const where = `${target.host}:${target.port}`;
        const client = new ssh2.Client();
        let presented = "";
        let refused: Error | undefined;
        client.on("ready", () => resolve(session(client, presented)));
        client.on("error", (error: Error & { level?: string }) => {
          if (refused) return reject(refused);
          const text = error.message;
          if (error.level === "client-authentication" || /authentication methods failed/.test(text)) return reject(invalid(`${where}: ${target.user} was refused: the node does not accept this key for ${target.user}`));
          reject(invalid(`${where}: cannot connect over SSH: ${text}`));
        });
        let privateKey: ReturnType<typeof ssh2.utils.parseKey>;
        try {
          privateKey = ssh2.utils.parseKey(target.privateKey);
        } catch (error) {
          privateKey = error as Error;
        }
        if (privateKey instanceof Error) {
          const encrypted = /passphrase|encrypted/i.test(privateKey.message);
          return reject(invalid(encrypted ? "the SSH key is protected by a passphrase: give a key file without one (ssh-keygen -p can remove it from a copy)" : `the SSH key cannot be read: ${privateKey.message}`));
        }
        client.connect({
          host: target.host,
          port: target.port,
          username: target.user,
          privateKey: target.privateKey,
          readyTimeout: READY_TIMEOUT_MS,
          // ed25519 first: the fingerprint asked for is then the one `ssh-keygen -lf` prints for the node's ed25519 key.
          algorithms: { serverHostKey: ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256"] },
          hostVerifier: (key: Buffer) => {
            presented = fingerprint(key);
            if (target.hostKey !== undefined && presented === target.hostKey) return true;
            refused = target.hostKey === undefined
              ? invalid(`${where}: unknown host key ${presented}; check it on the node (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and pass --host-key ${presented}`)
              : invalid(`${where}: the host key is ${presented}, not the pinned ${target.hostKey}: refusing to connect (if the node was reinstalled, pass --host-key with its new key)`);
            return false;
          },
        });
      });
    },
  };
}

function session(client: ssh2.Client, hostKey: string): NodeSession {
  return {
    hostKey,
    run(argv, options = {}) {
      return new Promise<RunResult>((resolve, reject) => {
        client.exec(argv.map(shellQuote).join(" "), (error, stream) => {
          if (error) return reject(error);
          let stdout = "";
          let stderr = "";
          let code = -1;
          stream.on("data", (chunk: Buffer) => {
            if (stdout.length < MAX_OUTPUT) stdout += chunk.toString("utf8");
          });
          stream.stderr.on("data", (chunk: Buffer) => {
            if (stderr.length < MAX_OUTPUT) stderr += chunk.toString("utf8");
          });
          stream.on("exit", (status: number | null) => {
            code = status ?? -1;
          });
          stream.on("close", () => resolve({ code, stdout, stderr }));
          // Always end stdin: a command reading it (cat) must see the end.
          stream.end(options.stdin === undefined ? undefined : Buffer.from(options.stdin));
        });
      });
    },
    upload(localPath, remotePath, mode) {
      return new Promise<void>((resolve, reject) => {
        client.sftp((error, sftp) => {
          if (error) return reject(invalid(`SFTP is not available on the node: ${error.message}`));
          sftp.fastPut(localPath, remotePath, { mode }, (putError) => {
            sftp.end();
            if (putError) reject(invalid(`uploading ${remotePath} failed: ${putError.message}`));
            else resolve();
          });
        });
      });
    },
    close: () => client.end(),
  };
}
