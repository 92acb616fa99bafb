import { appendFileSync, existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import { accessLogFiles, type AccessEntry } from "../lib/access-log.ts";

const FLUSH_MS = 200;
const FLUSH_BYTES = 64 * 1024;

export interface AccessLog {
  write(entry: AccessEntry): void;
  /** Writes what is buffered; call before exit. */
  close(): void;
}

/**
 * The access log as the edge writes it: lines gather in memory and reach the file every 200 ms
 * (or 64 KiB), so a request costs a JSON.stringify, not a write. Past `maxBytes` the file is
 * renamed access.log.1 (older ones shift, the oldest goes) and a new one started.
 */
export function createAccessLog(dir: string, maxBytes: number, onError: (message: string) => void = () => {}): AccessLog {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = accessLogFiles(dir);
  let buffer = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  let size = existsSync(files[0]!) ? statSync(files[0]!).size : 0;
  let failing = false;

  function flush() {
    clearTimeout(timer);
    timer = undefined;
    if (!buffer) return;
    const text = buffer;
    buffer = "";
    try {
      if (size > 0 && size + text.length > maxBytes) rotate();
      appendFileSync(files[0]!, text, { mode: 0o600 });
      size += Buffer.byteLength(text);
      failing = false;
    } catch (error) {
      // A full disk must not take the proxy down: the lines are lost, said once.
      if (!failing) onError(`edge: access log not written: ${(error as Error).message}`);
      failing = true;
    }
  }

  function rotate() {
    for (let i = files.length - 1; i > 0; i--) if (existsSync(files[i - 1]!)) renameSync(files[i - 1]!, files[i]!);
    size = 0;
  }

  return {
    write(entry) {
      buffer += `${JSON.stringify(entry)}\n`;
      if (buffer.length >= FLUSH_BYTES) flush();
      else timer ??= setTimeout(flush, FLUSH_MS);
    },
    close: flush,
  };
}
