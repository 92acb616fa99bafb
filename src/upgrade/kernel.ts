import { readFileSync, writeFileSync } from "node:fs";

const MIGRATE_REQ = "/proc/sys/net/ipv4/tcp_migrate_req";

/**
 * The edge handover closes the old edge's listener while a new one listens on the same port
 * (SO_REUSEPORT). With net.ipv4.tcp_migrate_req=1 the kernel moves connections still queued on
 * the closing listener to the other one; otherwise it resets them. install.sh sets it for good;
 * this sets it for an install made before that. Returns why it could not, or null.
 */
export function moveQueuedConnections(file = MIGRATE_REQ): string | null {
  try {
    if (readFileSync(file, "utf8").trim() === "1") return null;
    writeFileSync(file, "1");
    return null;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return `net.ipv4.tcp_migrate_req is not 1 and could not be set (${reason}): connections queued on the old edge as it closes its port may be reset`;
  }
}
