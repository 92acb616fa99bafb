import { createHash } from "node:crypto";

/** Labels on every image Berth builds; cleanup only ever lists images carrying them. */
export const LABELS = {
  managed: "berth.managed",
  project: "berth.project",
  block: "berth.block",
  commit: "berth.commit",
} as const;

/** A short, stable hash of the build inputs other than the commit (canonical JSON). */
export function configHash(config: unknown): string {
  return createHash("sha256").update(canonicalJson(config)).digest("hex").slice(0, 12);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** `berth/<project>/<block>:<commit12>-<config12>`: the same commit and config is the same image. */
export const imageTag = (project: string, block: string, commit: string, hash: string) =>
  `berth/${project}/${block}:${commit.slice(0, 12)}-${hash}`;
