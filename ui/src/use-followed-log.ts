// The live log of something under way (a release's rollout, a build, a job run): each `log`
// event is a line, the one `end` event carries the finished record.
import { useState } from "preact/hooks";
import { useSession } from "./context.ts";
import { useStream } from "./live.ts";

export type Followed = "releases" | "builds" | "job-runs";

export interface FollowedLog<T> {
  lines: string[];
  /** The record as it finished; undefined while it runs. */
  final: T | undefined;
  error: string | null;
}

export function useFollowedLog<T = { status: string; reason: string | null }>(kind: Followed, id: number | null, onEnd?: (record: T) => void): FollowedLog<T> {
  const { headers } = useSession();
  const [state, setState] = useState<FollowedLog<T> & { id: number | null }>({ id, lines: [], final: undefined, error: null });
  // A different id starts a fresh log.
  const current = state.id === id ? state : { id, lines: [], final: undefined, error: null };
  useStream(
    id === null ? null : `/${kind}/${id}/log/stream`,
    headers,
    (e) => {
      if (e.event === "end") {
        const record = JSON.parse(e.data) as T;
        setState((s) => ({ ...s, id, final: record }));
        onEnd?.(record);
      } else if (e.event === "log" || e.event === undefined) {
        setState((s) => ({ ...(s.id === id ? s : { id, final: undefined, error: null }), lines: [...(s.id === id ? s.lines : []), e.data] }));
      }
    },
    (error) => error && setState((s) => ({ ...s, error: error.message })),
  );
  return current;
}
