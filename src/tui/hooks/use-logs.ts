import { useEffect, useRef, useState } from "react";
import type { Env, LogLine, TuiApi } from "../api.ts";
import { oneLine } from "../errors.ts";

/** Lines kept in memory: older ones scroll away, like a terminal's scrollback. */
export const KEEP_LINES = 2000;
/** Lines that come in a burst are drawn once per frame, not once per line. */
const FLUSH_MS = 100;
/** A stream that broke (serve restarted, the network dropped) is opened again after this. */
const RETRY_MS = 2000;

/** Follows an environment's logs (one block's or all) over the API's event stream. */
export function useLogs(api: TuiApi, env: Env | null, block: string | null, active: boolean) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [error, setError] = useState<string | null>(null);
  const pending = useRef<LogLine[]>([]);
  const [attempt, setAttempt] = useState(0);
  const key = env && active ? `${env.project}/${env.env}/${block ?? ""}` : "";
  useEffect(() => {
    if (!env || !active) return;
    setLines([]);
    setError(null);
    pending.current = [];
    const flush = setInterval(() => {
      if (pending.current.length === 0) return;
      const batch = pending.current;
      pending.current = [];
      setLines((old) => [...old, ...batch].slice(-KEEP_LINES));
    }, FLUSH_MS);
    let retry: ReturnType<typeof setTimeout> | undefined;
    const stop = api.followLogs(env, block ? [block] : [], (line) => pending.current.push(line), (e) => {
      setError(`${e ? oneLine(e) : "the log stream ended"}; reconnecting`);
      retry = setTimeout(() => setAttempt((n) => n + 1), RETRY_MS);
    });
    return () => {
      clearInterval(flush);
      clearTimeout(retry);
      stop();
    };
  }, [key, attempt]);
  return { lines, error };
}
