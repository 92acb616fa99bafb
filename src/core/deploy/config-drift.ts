import type { ReleaseRecord } from "../../ports/release-store.ts";
import type { BlockSpec } from "../project-file/schema.ts";

/**
 * The live release's number when a block's variables (by fingerprint) or settings changed
 * after it: the running app does not see them until the next release. Null when in step, or
 * when the live release predates recorded fingerprints.
 */
export function configChangedSince(live: ReleaseRecord | null, block: string, spec: BlockSpec, fingerprint: string): number | null {
  const deployed = live?.blocks.find((b) => b.name === block);
  if (!live || !deployed?.fingerprint) return null;
  const settingsChanged = canonical(deployed.spec) !== canonical(spec);
  return deployed.fingerprint !== fingerprint || settingsChanged ? live.number : null;
}

/** JSON with keys sorted at every level: the same settings in another key order compare equal. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}
