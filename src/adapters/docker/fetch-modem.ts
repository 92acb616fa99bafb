import type Modem from "docker-modem";
import type Dockerode from "dockerode";
import type { RequestOptions } from "node:http";

type Callback = (error: unknown, result?: unknown) => void;

/** The parts of docker-modem this replaces; its types keep them private. */
interface ModemInternals {
  timeout?: number;
  buildRequest(request: RequestOptions & { socketPath?: string }, context: Modem.DialOptions & { openStdin?: boolean }, data: unknown, callback: Callback): void;
  buildPayload(error: unknown, isStream: boolean, statusCodes: Modem.StatusCodes, openStdin: boolean, req: unknown, res: { statusCode: number }, json: unknown, callback: Callback): void;
}

/**
 * docker-modem whose requests that answer once (inspect, list, create, start, stop, remove,
 * update, logs without follow, one-shot stats) go through Bun's fetch over the engine's socket.
 * Through node:http, which docker-modem uses, each such request in Bun leaves about 10 KB of
 * native memory that only a full collection frees, and a collection rarely comes while the JS
 * heap barely grows: a rollout of 100 blocks makes thousands of them, and `berth serve` grew by
 * 100 MB and more (docs/benchmarks.md, "100 blocks"). Through fetch the same requests leave a
 * fifth of that, and take less CPU. Streams (log follows, events, pulls, builds), hijacked
 * execs, uploads and engines reached over TCP or SSH keep docker-modem's own path.
 */
export function fetchModem(options?: Modem.ConstructorOptions): Modem {
  // Loaded here, not at import: docker-modem pulls in ssh2, which lazy-engine.ts keeps off start-up.
  const DockerModem = require("docker-modem") as typeof Modem;
  const modem = new DockerModem(options);
  const internals = modem as unknown as ModemInternals;
  const viaNodeHttp = internals.buildRequest.bind(modem);
  internals.buildRequest = (request, context, data, callback) => {
    const once = !context.isStream && !context.hijack && !context.openStdin && (data === undefined || typeof data === "string" || Buffer.isBuffer(data));
    if (!once || !request.socketPath) return viaNodeHttp(request, context, data, callback);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      // fetch sets the length of the body itself.
      if (value !== undefined && name.toLowerCase() !== "content-length") headers[name] = String(value);
    }
    const signals = [request.signal, internals.timeout ? AbortSignal.timeout(internals.timeout) : undefined].filter((s): s is AbortSignal => s !== undefined);
    fetch(`http://localhost${request.path}`, {
      unix: request.socketPath,
      method: request.method,
      headers,
      body: data as BodyInit | undefined,
      signal: signals.length ? AbortSignal.any(signals) : undefined,
      // No idle limit of fetch's own (5 minutes): a wait for a job's container answers when the job ends.
      timeout: false,
    })
      .then(async (response) => ({ status: response.status, body: Buffer.from(await response.arrayBuffer()) }))
      // Two handlers, not then/catch: a throw in the caller's callback must not call it again.
      .then(
        // As docker-modem answers: the parsed JSON, else the raw bytes (logs, an empty body).
        ({ status, body }) => internals.buildPayload(null, false, context.statusCodes ?? {}, false, null, { statusCode: status }, parseJson(body) || body, callback),
        (error: unknown) => internals.buildPayload(error, false, context.statusCodes ?? {}, false, null, { statusCode: 0 }, null, callback),
      );
  };
  return modem;
}

/** dockerode's options for a client on fetchModem (its types leave `modem` out). */
export const overFetch = (options?: Modem.ConstructorOptions): Dockerode.DockerOptions => ({ modem: fetchModem(options) }) as Dockerode.DockerOptions;

function parseJson(buffer: Buffer): unknown {
  try {
    return JSON.parse(buffer.toString());
  } catch {
    return null;
  }
}
