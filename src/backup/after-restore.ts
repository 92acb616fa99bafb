import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { bringUpLiveReleases } from "../core/deploy/bring-up.ts";
import type { Services } from "../core/services.ts";
import { RESTORED_MARKER } from "./restore.ts";

/** The first start after `berth backup restore`: bring the restored live releases back up, once. */
export async function afterRestore(dataDir: string, services: Services, log: (line: string) => void): Promise<void> {
  const marker = join(dataDir, RESTORED_MARKER);
  if (!existsSync(marker)) return;
  // Removed first: a restart during the bring-up must not start a second round of deploys.
  rmSync(marker, { force: true });
  const started = await bringUpLiveReleases({ projects: services.projects, deployments: services.deployments }, log);
  log(`restore: ${started.length} environment(s) being brought up from their live release`);
}
