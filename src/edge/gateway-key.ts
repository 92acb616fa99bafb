import { createHmac } from "node:crypto";

/**
 * The HS256 key of an environment's gateway tokens, derived from the data dir's master key so
 * nothing new needs storing, and distinct per environment so a token never crosses over.
 * The control plane imports this too: both sides must derive the same bytes.
 */
export function gatewaySigningKey(masterKey: Buffer, project: string, environment: string): Uint8Array {
  return new Uint8Array(createHmac("sha256", masterKey).update(`gateway:${project}/${environment}`).digest());
}
