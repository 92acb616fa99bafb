import { useCallback, useEffect, useRef, useState } from "react";
import { oneLine } from "../errors.ts";

export interface Resource<T> {
  data: T | null;
  error: string | null;
  /** Loads again now (after an action, or when a stream says something changed). */
  reload: () => void;
}

/**
 * Loads `load()` now, again whenever `key` changes and every `everyMs` while mounted. An error
 * is kept as one line beside the last good data: the view keeps showing what it had.
 */
export function useResource<T>(load: (() => Promise<T>) | null, key: string, everyMs: number): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => setData(null), [key]);
  useEffect(() => {
    const current = loadRef.current;
    if (!current) return;
    let live = true;
    current().then(
      (value) => live && (setData(value), setError(null)),
      (e: unknown) => live && setError(oneLine(e)),
    );
    const timer = setTimeout(reload, everyMs);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key, tick, everyMs, reload]);
  return { data, error, reload };
}
