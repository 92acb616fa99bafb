import type { Context } from "hono";
import { streamSSE } from "hono/streaming";

type Follow = (onLine: (line: string) => void, onDone: () => void) => () => void;

/** A log as server-sent events: `log` per line as it comes, then `end` carrying `final()`. */
export function followAsEvents(c: Context, follow: Follow, final: () => unknown) {
  return streamSSE(c, async (stream) => {
    const queue: string[] = [];
    let done = false;
    let wake = () => {};
    const unsubscribe = follow(
      (line) => (queue.push(line), wake()),
      () => ((done = true), wake()),
    );
    stream.onAbort(unsubscribe);
    while (!stream.aborted) {
      while (queue.length > 0) await stream.writeSSE({ event: "log", data: queue.shift()! });
      if (done) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (!stream.aborted) await stream.writeSSE({ event: "end", data: JSON.stringify(final()) });
  });
}
