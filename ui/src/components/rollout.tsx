/** @jsxImportSource preact */
// The live rollout log of a release that is under way (or just finished), with its outcome.
import { useEffect } from "preact/hooks";
import { Badge } from "./badge.tsx";
import { LogView } from "./log-view.tsx";
import { useFollowedLog } from "../use-followed-log.ts";

interface Release {
  number: number;
  status: string;
  reason: string | null;
}

export function Rollout({ id, number, onChange, onEnd }: { id: number; number: number; onChange?: () => void; onEnd?: (r: Release) => void }) {
  const log = useFollowedLog<Release>("releases", id, onEnd);
  // Each line may mean a replica came up or went away: the block table reads status again,
  // once lines stop coming for a moment rather than once per line.
  useEffect(() => {
    if (!onChange || log.lines.length === 0) return;
    const timer = setTimeout(onChange, 300);
    return () => clearTimeout(timer);
  }, [log.lines.length]);
  return (
    <section class="rollout" aria-label={`Release ${number} rollout`}>
      <h2>
        Release {number} {log.final ? <Badge state={log.final.status} /> : <Badge state="deploying" />}
      </h2>
      {log.final?.reason && <p class="error">{log.final.reason}</p>}
      <LogView lines={log.lines} label={`Rollout log of release ${number}`} />
      {log.error && <p class="error">{log.error}</p>}
    </section>
  );
}

