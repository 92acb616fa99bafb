import type Dockerode from "dockerode";

/**
 * Text of a non-TTY log buffer: each chunk has an 8-byte header (stream byte, 3 zero bytes,
 * big-endian length). A buffer that does not start like a frame is taken as raw text (TTY).
 */
export function demuxLogs(buffer: Uint8Array): string {
  const bytes = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const framed = bytes.length >= 8 && bytes[0]! <= 2 && bytes[1] === 0 && bytes[2] === 0 && bytes[3] === 0;
  if (!framed) return bytes.toString("utf8");
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= bytes.length) {
    const size = bytes.readUInt32BE(offset + 4);
    parts.push(bytes.subarray(offset + 8, Math.min(bytes.length, offset + 8 + size)));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString("utf8");
}

/** The last `count` non-blank lines of text, trimmed. */
export function lastLines(text: string, count: number): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(-count);
}

/** A failed replica's last log lines (stdout and stderr interleaved as written); none if unreadable. */
export async function lastLogLines(docker: Dockerode, id: string, count = 5): Promise<string[]> {
  try {
    const buffer = await docker.getContainer(id).logs({ stdout: true, stderr: true, tail: 20, follow: false });
    return lastLines(demuxLogs(buffer), count);
  } catch {
    // Only used to explain a failure already found: a missing log must not hide that failure.
    return [];
  }
}
