import { appendFile, appendFileSync, existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import { accessLogFiles, type AccessEntry } from "../lib/access-log.ts";

const FLUSH_MS = 200;
const FLUSH_BYTES = 64 * 1024;

export interface AccessLog {
  write(entry: AccessEntry): void;
  /** Writes what is buffered, synchronously; call before exit. */
  close(): void;
}

/**
 * The access log as the edge writes it: lines gather in memory and reach the file every 200 ms
 * (or 64 KiB) in one write that does not block the proxy, so a request costs a JSON.stringify.
 * Past `maxBytes` the file is renamed access.log.1 (older ones shift, the oldest goes).
 */
export function createAccessLog(dir: string, maxBytes: number, onError: (message: string) => void = () => {}): AccessLog {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = accessLogFiles(dir);
  let buffer = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  let size = existsSync(files[0]!) ? statSync(files[0]!).size : 0;
  let writing = false;
  let failing = false;

  const failed = (error: Error) => {
    // A full disk must not take the proxy down: the lines are lost, said once.
    if (!failing) onError(`edge: access log not written: ${error.message}`);
    failing = true;
  };

  /** Takes the buffer and rotates first when it would pass the cap. */
  function take(): string {
    const text = buffer;
    buffer = "";
    if (size > 0 && size + text.length > maxBytes) {
      for (let i = files.length - 1; i > 0; i--) if (existsSync(files[i - 1]!)) renameSync(files[i - 1]!, files[i]!);
      size = 0;
    }
    size += Buffer.byteLength(text);
    return text;
  }

  function flush() {
    clearTimeout(timer);
    timer = undefined;
    // One write at a time keeps lines in order; what comes meanwhile waits for the next.
    if (!buffer || writing) return;
    writing = true;
    let text: string;
    try {
      text = take();
    } catch (error) {
      writing = false;
      return failed(error as Error);
    }
    appendFile(files[0]!, text, { mode: 0o600 }, (error) => {
      writing = false;
      if (error) failed(error);
      else failing = false;
      if (buffer) timer ??= setTimeout(flush, FLUSH_MS);
    });
  }

  return {
    write(entry) {
      buffer += `${JSON.stringify(entry)}\n`;
      if (buffer.length >= FLUSH_BYTES) flush();
      else timer ??= setTimeout(flush, FLUSH_MS);
    },
    close() {
      clearTimeout(timer);
      if (!buffer) return;
      try {
        appendFileSync(files[0]!, take(), { mode: 0o600 });
      } catch (error) {
        failed(error as Error);
      }
    },
  };
}
