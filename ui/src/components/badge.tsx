/** @jsxImportSource preact */
// One look per state across blocks, releases, builds and job runs: green is up or done,
// blue is under way, red is broken, grey is resting.
const TONE: Record<string, string> = {
  running: "ok",
  deployed: "ok",
  succeeded: "ok",
  valid: "ok",
  live: "ok",
  building: "busy",
  deploying: "busy",
  queued: "busy",
  pending: "busy",
  renewing: "busy",
  failed: "bad",
  crashloop: "bad",
  error: "bad",
  expired: "bad",
  cancelled: "rest",
  stopped: "rest",
};

export function Badge({ state }: { state: string }) {
  return <span class={`badge ${TONE[state] ?? "rest"}`}>{state}</span>;
}
