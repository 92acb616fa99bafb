/** `${{ db.url }}`: an export of another block of the same environment. */
const REFERENCE = /\$\{\{\s*([a-z0-9-]+)\.([A-Za-z0-9_]+)\s*\}\}/g;

export interface Reference {
  block: string;
  field: string;
}

export const referencesIn = (value: string): Reference[] => [...value.matchAll(REFERENCE)].map((m) => ({ block: m[1]!, field: m[2]! }));

/** The blocks a set of variables reads from, in name order. */
export const referencedBlocks = (env: Record<string, string>): string[] =>
  [...new Set(Object.values(env).flatMap((v) => referencesIn(v).map((r) => r.block)))].sort();

/** Each reference replaced by the export it names; `exportsOf` answers for a block (undefined: none). */
export function resolveReferences(env: Record<string, string>, exportsOf: (block: string) => Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    out[name] = value.replace(REFERENCE, (whole, block: string, field: string) => exportsOf(block)?.[field] ?? whole);
  }
  return out;
}
