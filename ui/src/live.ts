// Server-sent events read with fetch, so the bearer token goes in a header and never in a URL.
import { useEffect } from "preact/hooks";
import { readEvents } from "../../src/client/sse.ts";

export interface StreamEvent {
  event?: string;
  data: string;
}

/** Follows `path` (under /api) until it ends or the component leaves; `onEnd` gets the error, if any. */
export function follow(path: string, headers: Record<string, string>, onEvent: (e: StreamEvent) => void, onEnd?: (error?: Error) => void): () => void {
  const stop = new AbortController();
  fetch(`/api${path}`, { headers: { ...headers, Accept: "text/event-stream" }, signal: stop.signal })
    .then((response) => readEvents(response, onEvent))
    .then(
      () => onEnd?.(),
      (error: Error) => {
        if (!stop.signal.aborted) onEnd?.(error);
      },
    );
  return () => stop.abort();
}

/** Follows a stream while `path` is set; a new path (or null) closes the old stream. */
export function useStream(path: string | null, headers: Record<string, string>, onEvent: (e: StreamEvent) => void, onEnd?: (error?: Error) => void) {
  useEffect(() => (path ? follow(path, headers, onEvent, onEnd) : undefined), [path]);
}
