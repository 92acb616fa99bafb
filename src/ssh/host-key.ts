import { existsSync, readFileSync } from "node:fs";
import ssh2 from "ssh2";
import { writePrivate, writePublic } from "../lib/private-file.ts";

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
  const pair = ssh2.utils.generateKeyPairSync("ed25519");
  writePrivate(file, pair.private);
  writePublic(`${file}.pub`, `${pair.public}\n`);
  return pair.private;
}
