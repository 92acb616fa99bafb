import type { Deadlines } from "./deadlines.ts";
import { stoppedPage, text } from "./responses.ts";
import type { Route } from "./route-table.ts";
import { BodyTooLarge, UpstreamError, type PendingResponse, type UpstreamPools } from "./upstream-pool.ts";

/** A failure before any of a response arrived, on a request that can be sent again (the pool decides: see upstream-pool.ts). */
const failedBeforeResponse = (error: unknown) => error instanceof UpstreamError && error.beforeResponse;

class UpstreamTimeout extends Error {}

/** Fixed for the life of the edge; one object, so forward() takes no per-request options. */
export interface ForwardSettings {
  timeoutMs: number;
  /** The one timer all waits for response heads share (built for `timeoutMs`). */
  deadlines: Deadlines;
  pools: UpstreamPools;
  maxBodyBytes: number;
  /** Metrics are taken here, where the status is known, rather than in one more promise around forward(). */
  /** `bytes`: the response's declared length (Content-Length), when it has one. */
  record: (route: Route, status: number, startMs: number, bytes?: number) => void;
  /** Told which upstream a request went to (set only when an access log wants it). */
  picked?: (req: Request, upstream: string) => void;
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

  let pending: PendingResponse | null = null;
  let timedOut = false;
  const expire = () => {
    timedOut = true;
    pending?.abort(new UpstreamTimeout());
  };
  // Bounds the wait for response headers only: a long download or event stream must not be cut,
  // and an upload is timed from its last byte (as nginx's proxy_read_timeout), not from its first.
  let deadline = req.body === null ? settings.deadlines.add(expire, start) : null;
  const bodySent = deadline ? undefined : () => void (deadline ??= settings.deadlines.add(expire));
  const request = { method: req.method, target, headers: req.headers, body: req.body, maxBodyBytes: settings.maxBodyBytes, bodySent };
  try {
    let response: Response;
    const picked = settings.picked;
    try {
      if (picked) picked(req, `${upstreams[first]!.host}:${upstreams[first]!.port}`);
      pending = settings.pools.request(upstreams[first]!, request);
      response = await pending.response;
    } catch (error) {
      if (timedOut || !failedBeforeResponse(error)) throw error;
      const second = upstreams[first + 1 >= count ? 0 : first + 1]!;
      if (picked) picked(req, `${second.host}:${second.port}`);
      pending = settings.pools.request(second, request);
      response = await pending.response;
    }
    return answered(record, route, start, response, pending.length);
  } catch (error) {
    if (timedOut || error instanceof UpstreamTimeout) return answered(record, route, start, text(504, `${route.block} did not answer within ${duration(timeoutMs)}`));
    if (error instanceof BodyTooLarge) return answered(record, route, start, tooLarge(settings.maxBodyBytes));
    return answered(record, route, start, text(502, `${route.block} is not reachable (${(error as { code?: string }).code ?? "error"})`));
  } finally {
    if (deadline) settings.deadlines.clear(deadline);
  }
}

const answered = (record: ForwardSettings["record"], route: Route, start: number, response: Response, bytes = 0) => (record(route, response.status, start, bytes > 0 ? bytes : 0), response);
