import type { ReleaseRecord } from "../../ports/release-store.ts";
import { MASK } from "../variables.ts";

/**
 * A release as the API shows it: secret variable values masked like `vars list` does. They are
 * sealed in the record, but even the sealed text would tell a viewer how long a secret is.
 */
export function maskSecrets(release: ReleaseRecord): ReleaseRecord {
  return {
    ...release,
    blocks: release.blocks.map((b) =>
      b.vars ? { ...b, vars: Object.fromEntries(Object.entries(b.vars).map(([name, v]) => [name, v.secret ? { ...v, value: MASK } : v])) } : b,
    ),
  };
}
