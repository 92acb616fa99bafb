// Loading state for one API read: the data, the error line, and a way to read it again
// (after an action, or when a live stream says something changed).
import { useCallback, useEffect, useRef, useState } from "preact/hooks";

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  reload: () => void;
}

export function useData<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  // An answer for a page the user has left (or an older round) is dropped.
  const generation = useRef(0);
  useEffect(() => {
    const mine = ++generation.current;
    load().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(null);
      },
      (e: Error) => {
        if (mine === generation.current) setError(e.message);
      },
    );
  }, [...deps, round]);
  // A new place starts empty rather than showing the last one's data.
  useEffect(() => setData(undefined), deps);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data, error, reload };
}
