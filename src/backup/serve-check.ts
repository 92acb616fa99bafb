import { join } from "node:path";
import { livePid } from "../lib/pid-file.ts";

/** Where `berth serve` records its pid, beside the state it owns. */
export const servePidFile = (dataDir: string) => join(dataDir, "serve.pid");

/**
 * Why the data dir is in use by a control plane, or null: a live pid in serve.pid, or an API
 * answering on the configured address (a serve started before pid files, or in another mount namespace).
 */
export async function serveInUse(dataDir: string, apiUrl: string): Promise<string | null> {
  const pid = livePid(servePidFile(dataDir));
  if (pid) return `berth serve (pid ${pid}) is running on ${dataDir}`;
  try {
    const response = await fetch(`${apiUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
    if (response.ok) return `a Berth API answers on ${apiUrl}`;
  } catch {}
  return null;
}
