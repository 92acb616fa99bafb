import { useEffect, useRef, useState } from "react";
import type { Env, TuiApi } from "../api.ts";
import { useResource } from "./use-resource.ts";

const BUSY = new Set(["building", "deploying"]);
/** Status is asked again at this pace when no stream says anything: the fallback, not the path. */
const STATUS_EVERY_MS = 1000;
const TOP_EVERY_MS = 5000;

/**
 * An environment as it is now: status, samples and releases, kept live. While a release rolls
 * out, its log stream (SSE) is followed: each line is shown as progress and reloads the status.
 */
export function useEnvLive(api: TuiApi, env: Env | null, onFinished: (text: string, failed: boolean) => void) {
  const key = env ? `${env.project}/${env.env}` : "";
  const status = useResource(env ? () => api.status(env) : null, key, STATUS_EVERY_MS);
  const top = useResource(env ? () => api.top(env) : null, key, TOP_EVERY_MS);
  const releases = useResource(env ? () => api.releases(env) : null, key, TOP_EVERY_MS);
  const [progress, setProgress] = useState<string | null>(null);
  const following = useRef<number | null>(null);
  const release = status.data?.release;
  const rolling = release && BUSY.has(release.status) ? release.number : null;

  useEffect(() => {
    if (!env || rolling === null || following.current === rolling) return;
    following.current = rolling;
    let stop = () => {};
    let live = true;
    api.releases(env).then((list) => {
      const record = list.releases.find((r) => r.number === rolling);
      if (!record || !live) return;
      stop = api.followRelease(
        record.id,
        (line) => (setProgress(`#${rolling} ${line}`), status.reload()),
        (ended) => {
          setProgress(null);
          status.reload();
          releases.reload();
          if (ended && live) onFinished(`release #${ended.number} of ${key} ${ended.status}${ended.reason ? `: ${ended.reason}` : ""}`, ended.status !== "deployed");
        },
      );
    }, () => {});
    return () => {
      live = false;
      following.current = null;
      stop();
    };
  }, [key, rolling]);

  return { status, top, releases, progress: rolling === null ? null : progress };
}
