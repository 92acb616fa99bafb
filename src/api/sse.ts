import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { ApiEnv } from "./env.ts";

type Follow = (onLine: (line: string) => void, onDone: () => void) => () => void;

/** How often an open stream asks whether its token still holds: a revoke ends it within this. */
export const RECHECK_MS = 2_000;

/**
 * A log as server-sent events: `log` per line as it comes, then `end` carrying `final()`.
 * When the token is revoked (or loses the role) meanwhile, one `denied` event and the stream closes.
 */
export function followAsEvents(c: Context<ApiEnv>, follow: Follow, final: () => unknown, options: { heartbeatMs?: number } = {}) {
  const stillAuthorised = c.get("stillAuthorised");
  return streamSSE(c, async (stream) => {
    const queue: string[] = [];
    let done = false;
    let denied = false;
    let wake = () => {};
    const subscription = follow(
      (line) => (queue.push(line), wake()),
      () => ((done = true), wake()),
    );
    let subscribed = true;
    const unsubscribe = () => {
      if (subscribed) (subscribed = false), subscription();
    };
    const recheck = setInterval(() => {
      if (!stillAuthorised()) (denied = true), wake();
    }, RECHECK_MS);
    // A quiet log must not look like a dead connection to the server's idle timeout or a proxy's.
    let ping = false;
    const heartbeat = options.heartbeatMs ? setInterval(() => ((ping = true), wake()), options.heartbeatMs) : undefined;
    stream.onAbort(unsubscribe);
    try {
      while (!stream.aborted && !denied) {
        while (queue.length > 0 && !denied) await stream.writeSSE({ event: "log", data: queue.shift()! });
        if (ping) (ping = false), await stream.write(": ping\n\n");
        if (done || denied) break;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      if (denied) await stream.writeSSE({ event: "denied", data: "the API token was revoked or lost its role" });
      else if (!stream.aborted) await stream.writeSSE({ event: "end", data: JSON.stringify(final()) });
    } finally {
      clearInterval(recheck);
      clearInterval(heartbeat);
      unsubscribe();
    }
  });
}

/** Changes come in bursts (a die, then a start; a release's steps): one read after the burst. */
const SETTLE_MS = 150;
/** The repair path: what no event reported (a metric warning, a missed engine event) shows within this. */
const RESEND_CHECK_MS = 5_000;

/**
 * A state as server-sent events: `status` with `first`, then again whenever `watch` says it may
 * have changed and `read()` gives something new. Ends like followAsEvents when the token goes.
 */
export function statusEvents(c: Context<ApiEnv>, first: string, read: () => Promise<string>, watch: (onChange: () => void) => () => void) {
  const stillAuthorised = c.get("stillAuthorised");
  return streamSSE(c, async (stream) => {
    let last = first;
    let dirty = false;
    let wake = () => {};
    let settle: ReturnType<typeof setTimeout> | undefined;
    const stop = watch(() => {
      clearTimeout(settle);
      settle = setTimeout(() => ((dirty = true), wake()), SETTLE_MS);
    });
    const check = setInterval(() => ((dirty = true), wake()), RESEND_CHECK_MS);
    const recheck = setInterval(() => wake(), RECHECK_MS);
    stream.onAbort(() => wake());
    try {
      await stream.writeSSE({ event: "status", data: first });
      while (!stream.aborted) {
        await new Promise<void>((resolve) => (wake = resolve));
        if (!stillAuthorised()) {
          await stream.writeSSE({ event: "denied", data: "the API token was revoked or lost its role" });
          break;
        }
        if (!dirty || stream.aborted) continue;
        dirty = false;
        const now = await read().catch(() => last);
        if (now !== last) await stream.writeSSE({ event: "status", data: (last = now) });
        // A quiet stream must not look dead to the server's idle timeout or a proxy's.
        else await stream.write(": ping\n\n");
      }
    } finally {
      clearTimeout(settle);
      clearInterval(check);
      clearInterval(recheck);
      stop();
    }
  });
}
