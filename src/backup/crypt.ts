import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";

/**
 * Passphrase encryption of a whole backup: scrypt (RFC 7914) derives a 256-bit key, AES-256-GCM
 * encrypts and authenticates. Layout: MAGIC | log2(N) r p (1 byte each) | salt 16 | iv 12 |
 * ciphertext | tag 16. The header is authenticated too, so no parameter can be swapped unseen.
 */
export const MAGIC = Buffer.from("BERTHBK1");
const SALT = 16;
const IV = 12;
const TAG = 16;
/** N = 2^15, r = 8, p = 1: 32 MiB and about a tenth of a second per derivation. */
const DEFAULT_COST = { logN: 15, r: 8, p: 1 };

export class PassphraseError extends Error {}

export const isEncrypted = (data: Uint8Array) => data.length >= MAGIC.length && Buffer.from(data.subarray(0, MAGIC.length)).equals(MAGIC);

function deriveKey(passphrase: string, salt: Buffer, cost: { logN: number; r: number; p: number }): Buffer {
  const N = 2 ** cost.logN;
  return scryptSync(passphrase.normalize("NFC"), salt, 32, { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r });
}

export function encrypt(plain: Uint8Array, passphrase: string, cost = DEFAULT_COST): Buffer {
  if (!passphrase) throw new PassphraseError("the passphrase is empty");
  const salt = randomBytes(SALT);
  const iv = randomBytes(IV);
  const header = Buffer.concat([MAGIC, Buffer.from([cost.logN, cost.r, cost.p]), salt, iv]);
  const cipher = createCipheriv("aes-256-gcm", deriveKey(passphrase, salt, cost), iv);
  cipher.setAAD(header);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([header, body, cipher.getAuthTag()]);
}

export function decrypt(data: Uint8Array, passphrase: string): Buffer {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const headerLength = MAGIC.length + 3 + SALT + IV;
  if (!isEncrypted(buf) || buf.length < headerLength + TAG) throw new PassphraseError("not an encrypted Berth backup");
  const [logN, r, p] = [buf[MAGIC.length]!, buf[MAGIC.length + 1]!, buf[MAGIC.length + 2]!];
  // Bounds on what a crafted header could make us spend: at most 2^20 × 8 (1 GiB) of scrypt memory.
  if (logN < 10 || logN > 20 || r < 1 || r > 8 || p < 1 || p > 4) throw new PassphraseError("the backup's key derivation settings are out of range");
  const header = buf.subarray(0, headerLength);
  const salt = buf.subarray(MAGIC.length + 3, MAGIC.length + 3 + SALT);
  const iv = buf.subarray(MAGIC.length + 3 + SALT, headerLength);
  const decipher = createDecipheriv("aes-256-gcm", deriveKey(passphrase, salt, { logN, r, p }), iv);
  decipher.setAAD(header);
  decipher.setAuthTag(buf.subarray(buf.length - TAG));
  try {
    return Buffer.concat([decipher.update(buf.subarray(headerLength, buf.length - TAG)), decipher.final()]);
  } catch {
    throw new PassphraseError("wrong passphrase, or the backup file is damaged");
  }
}
