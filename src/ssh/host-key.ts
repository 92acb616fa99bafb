import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import ssh2 from "ssh2";

/**
 * The server's ed25519 host key: made at first start, kept 0600 in the data dir so clients
 * that pinned it keep trusting the server across restarts and upgrades.
 */
export function loadOrCreateHostKey(file: string): string {
  if (existsSync(file)) {
    const text = readFileSync(file, "utf8");
    const parsed = ssh2.utils.parseKey(text);
    if (parsed instanceof Error) throw new Error(`${file} is not a usable SSH host key: ${parsed.message}`);
    return text;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const pair = ssh2.utils.generateKeyPairSync("ed25519");
  writeFileSync(file, pair.private, { mode: 0o600 });
  chmodSync(file, 0o600);
  writeFileSync(`${file}.pub`, `${pair.public}\n`, { mode: 0o644 });
  return pair.private;
}
