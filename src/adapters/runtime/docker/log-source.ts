import type Dockerode from "dockerode";
import { engineSince, normalizeTime } from "../../../lib/log-time.ts";
import type { ContainerLogSource, LoggedContainer, RawLine } from "../../../ports/container-logs.ts";
import { LABEL } from "./labels.ts";

/**
 * Splits the engine's multiplexed log stream (8-byte frame headers: stream byte, three zero bytes,
 * big-endian length) into timestamped lines; a frame may arrive in pieces, several in one chunk.
 */
export function frameReader(onLines: (lines: RawLine[]) => void) {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    const lines: RawLine[] = [];
    let offset = 0;
    while (offset + 8 <= pending.length) {
      const size = pending.readUInt32BE(offset + 4);
      if (offset + 8 + size > pending.length) break;
      const stream = pending[offset] === 2 ? "stderr" : "stdout";
      const text = pending.toString("utf8", offset + 8, offset + 8 + size);
      for (const part of text.split("\n")) {
        if (part === "") continue;
        const line = timestamped(part, stream);
        if (line) lines.push(line);
      }
      offset += 8 + size;
    }
    pending = pending.subarray(offset);
    if (lines.length > 0) onLines(lines);
  };
}

/** "2026-12-02T05:24:36.12Z text" as the engine writes it with `timestamps`. */
function timestamped(part: string, stream: RawLine["stream"]): RawLine | null {
  const space = part.indexOf(" ");
  const time = normalizeTime(space === -1 ? part : part.slice(0, space));
  if (!time) return null;
  return { time, stream, text: space === -1 ? "" : part.slice(space + 1).replace(/\r$/, "") };
}

/** Berth's containers on one engine, and their output as a follow stream each. */
export function createDockerLogSource(docker: Dockerode): ContainerLogSource {
  return {
    async list(): Promise<LoggedContainer[]> {
      const found = await docker.listContainers({ all: true, filters: { label: [`${LABEL.managed}=true`] } });
      return found
        .map((info) => {
          const labels = info.Labels ?? {};
          return {
            id: info.Id,
            project: labels[LABEL.project] ?? "",
            environment: labels[LABEL.env] ?? "",
            block: labels[LABEL.block] ?? "",
            replica: Number(labels[LABEL.replica] ?? 0),
            release: Number(labels[LABEL.release] ?? 0),
            running: info.State === "running" || info.State === "restarting",
          };
        })
        .filter((c) => c.project && c.environment && c.block);
    },

    follow(id, since, onLines, onEnd) {
      let stream: NodeJS.ReadableStream | null = null;
      let stopped = false;
      let ended = false;
      const end = () => {
        if (!ended) (ended = true), onEnd();
      };
      const read = frameReader((lines) => onLines(since ? lines.filter((l) => l.time > since) : lines));
      docker
        .getContainer(id)
        .logs({ follow: true, stdout: true, stderr: true, timestamps: true, ...(since ? { since: engineSince(since) as unknown as number } : {}) })
        .then((s) => {
          stream = s as unknown as NodeJS.ReadableStream;
          if (stopped) return destroy(stream);
          stream.on("data", (chunk: Buffer) => read(chunk));
          stream.on("end", end);
          stream.on("close", end);
          stream.on("error", end);
        }, end);
      return () => {
        stopped = true;
        if (stream) destroy(stream);
      };
    },
  };
}

function destroy(stream: NodeJS.ReadableStream) {
  (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
}
