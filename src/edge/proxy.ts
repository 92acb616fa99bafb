import { stoppedPage, text } from "./responses.ts";
import type { Route } from "./route-table.ts";

/** Hop-by-hop headers (RFC 9110 §7.6.1) an upstream may send: they describe its connection, not the client's. */
const RESPONSE_HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "trailer", "upgrade"];
const SAFE_TO_RESEND = new Set(["GET", "HEAD", "OPTIONS"]);

/** A failure to reach the upstream before it answered, as opposed to one after it did. */
function failedBeforeResponse(error: unknown, method: string): boolean {
  const code = (error as { code?: string }).code;
  if (code === "ECONNREFUSED" || code === "ConnectionRefused" || code === "FailedToOpenSocket") return true;
  // A reset may come after the upstream acted on the request: only resend what is safe to repeat.
  return (code === "ECONNRESET" || code === "ConnectionClosed") && SAFE_TO_RESEND.has(method);
}

const abort = (controller: AbortController) => controller.abort();

/** Fixed for the life of the edge; one object, so forward() takes no per-request options. */
export interface ForwardSettings {
  timeoutMs: number;
  maxBodyBytes: number;
  /** Metrics are taken here, where the status is known, rather than in one more promise around forward(). */
  /** `bytes`: the response's declared length (Content-Length), when it has one. */
  record: (route: Route, status: number, startMs: number, bytes?: number) => void;
  /** Told which upstream a request went to (set only when an access log wants it). */
  picked?: (req: Request, upstream: string) => void;
}

class BodyTooLarge extends Error {}

/** A chunked body declares no length: count it as it streams and fail the upload past the limit. */
function capped(body: ReadableStream<Uint8Array>, max: number): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > max) controller.error(new BodyTooLarge());
        else controller.enqueue(chunk);
      },
    }),
  );
}

const MiB = 1024 * 1024;
const duration = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);
export const tooLarge = (max: number) => text(413, `request body over ${max % MiB === 0 ? `${max / MiB} MB` : `${max} bytes`}`);

/**
 * Sends the request to one of the route's upstreams (round-robin) and returns its response
 * with the body still streaming. If the connection fails before any response, the next
 * upstream gets one more try: during a deploy the old replica may already be gone. With a
 * single upstream the retry goes to the same one, which clears a stale pooled connection.
 * A declared Content-Length over the limit never gets here (see handler.ts).
 */
export async function forward(req: Request, route: Route, target: string, settings: ForwardSettings, start: number): Promise<Response> {
  const { record, timeoutMs } = settings;
  const upstreams = route.upstreams;
  const count = upstreams.length;
  if (count === 0) return answered(record, route, start, text(503, stoppedPage(route)));
  const first = route.next;
  route.next = first + 1 >= count ? 0 : first + 1;

  let body: ReadableStream<Uint8Array> | null = req.body;
  if (body && !req.headers.has("content-length")) body = capped(body, settings.maxBodyBytes);
  const controller = new AbortController();
  // Bounds the wait for response headers only: a long download or event stream must not be cut.
  const timer = setTimeout(abort, timeoutMs, controller);
  const init = { method: req.method, headers: req.headers, body, redirect: "manual", decompress: false, signal: controller.signal } as const;
  try {
    let response: Response;
    const picked = settings.picked;
    try {
      if (picked) picked(req, `${upstreams[first]!.host}:${upstreams[first]!.port}`);
      response = await fetch(upstreams[first]!.origin + target, init);
    } catch (error) {
      if (controller.signal.aborted || req.bodyUsed || body?.locked || !failedBeforeResponse(error, req.method)) throw error;
      const second = upstreams[first + 1 >= count ? 0 : first + 1]!;
      if (picked) picked(req, `${second.host}:${second.port}`);
      response = await fetch(second.origin + target, init);
    }
    const headers = response.headers;
    for (const name of RESPONSE_HOP_BY_HOP) headers.delete(name);
    return answered(record, route, start, response);
  } catch (error) {
    if (controller.signal.aborted) return answered(record, route, start, text(504, `${route.block} did not answer within ${duration(timeoutMs)}`));
    if (error instanceof BodyTooLarge || (error as Error).cause instanceof BodyTooLarge) return answered(record, route, start, tooLarge(settings.maxBodyBytes));
    return answered(record, route, start, text(502, `${route.block} is not reachable (${(error as { code?: string }).code ?? "error"})`));
  } finally {
    clearTimeout(timer);
  }
}

const answered = (record: ForwardSettings["record"], route: Route, start: number, response: Response) => (
  record(route, response.status, start, Number(response.headers.get("content-length")) || 0), response
);
