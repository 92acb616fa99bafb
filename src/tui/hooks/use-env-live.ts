import { useEffect, useRef, useState } from "react";
import type { Env, Status, TuiApi } from "../api.ts";
import { useResource } from "./use-resource.ts";

const BUSY = new Set(["building", "deploying"]);
/** While the status stream is down, status is asked at this pace; the stream is tried again after RETRY_MS. */
const STATUS_EVERY_MS = 1000;
const RETRY_MS = 5000;
const TOP_EVERY_MS = 5000;

/**
 * An environment as it is now: status, samples and releases, kept live. Status comes from the
 * API's status stream (SSE: a new status at each release step and replica change), polled only
 * while the stream is down. While a release rolls out, its log stream is followed for progress.
 */
export function useEnvLive(api: TuiApi, env: Env | null, onFinished: (text: string, failed: boolean) => void) {
  const key = env ? `${env.project}/${env.env}` : "";
  const [streamed, setStreamed] = useState<Status | null>(null);
  const [streaming, setStreaming] = useState(false);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    setStreamed(null);
    setStreaming(false);
    if (!env) return;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const stop = api.followStatus(
      env,
      (next) => (setStreamed(next), setStreaming(true)),
      () => {
        setStreaming(false);
        retry = setTimeout(() => setAttempt((n) => n + 1), RETRY_MS);
      },
    );
    return () => {
      clearTimeout(retry);
      stop();
    };
  }, [key, attempt]);
  const polled = useResource(env && !streaming ? () => api.status(env) : null, `${key}:${streaming}`, STATUS_EVERY_MS);
  const status = { data: streaming ? streamed : (polled.data ?? streamed), error: streaming ? null : polled.error, reload: polled.reload };
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
