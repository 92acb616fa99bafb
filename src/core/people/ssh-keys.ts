import { createHash } from "node:crypto";
import { invalid } from "../errors.ts";

export interface SshPublicKey {
  algo: string;
  /** The key's wire blob, base64, as in authorized_keys. */
  blob: string;
  comment: string;
  fingerprint: string;
}

/** Key types OpenSSH accepts for user authentication today (DSA is long gone). */
const ALGOS = new Set([
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
]);

/** OpenSSH's form: "SHA256:" and the unpadded base64 of the blob's SHA-256. */
const sshFingerprint = (blob: string) => `SHA256:${createHash("sha256").update(Buffer.from(blob, "base64")).digest("base64").replace(/=+$/, "")}`;

/** One public key line as in authorized_keys or a .pub file: "ssh-ed25519 AAAA… comment". */
export function parseSshKey(line: string): SshPublicKey {
  const [algo, blob, ...rest] = line.trim().split(/\s+/);
  if (!algo || !blob) throw invalid('not an SSH public key: expected "TYPE BASE64 [comment]", e.g. the line of ~/.ssh/id_ed25519.pub');
  if (!ALGOS.has(algo)) throw invalid(`SSH key type "${algo.slice(0, 40)}" is not supported: use ${[...ALGOS].slice(0, 3).join(", ")} or another of OpenSSH's`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) throw invalid("the SSH public key's data is not base64");
  const wire = Buffer.from(blob, "base64");
  // The blob starts with its own type as an SSH string: a key pasted with the wrong label is refused.
  const length = wire.length >= 4 ? wire.readUInt32BE(0) : -1;
  if (length < 0 || 4 + length > wire.length || wire.subarray(4, 4 + length).toString("latin1") !== algo) {
    throw invalid(`the SSH public key's data is not a ${algo} key`);
  }
  return { algo, blob: wire.toString("base64"), comment: rest.join(" ").slice(0, 200), fingerprint: sshFingerprint(blob) };
}
