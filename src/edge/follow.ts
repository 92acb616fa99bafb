import { buildRouteTable, EMPTY_TABLE, type EdgeRows, type RouteTable, type TableExtras } from "./route-table.ts";

/** Where the rows come from: the state DB, read-only (see adapters/store/edge-reader.ts). */
export interface RowSource {
  version(): number | null;
  load(): EdgeRows | null;
}

export interface Follower {
  current(): RouteTable;
  /** One poll now; the timer calls it every `pollMs`. */
  poll(): void;
  stop(): void;
}

/**
 * Keeps a route table in step with the DB. `PRAGMA data_version` costs microseconds, so polling
 * it often is cheaper and simpler than any notification; rows are re-read only when it moved,
 * and the table is rebuilt only when they differ (the DB changes for builds and logins too).
 */
export function followRoutes(source: RowSource, options: { domain: string; extras?: TableExtras; pollMs: number; log: (line: string) => void; onChange?: (table: RouteTable) => void }): Follower {
  let table = EMPTY_TABLE;
  let seenVersion: number | null = null;
  let loaded = false;
  let signature = "";
  let lastError = "";
  let waitingLogged = false;

  const poll = () => {
    try {
      const version = source.version();
      if (version === null || (loaded && version === seenVersion)) return waiting(version === null ? "database" : null);
      const rows = source.load();
      // Not migrated yet: keep `loaded` false so the next poll tries again whatever the version says.
      if (!rows) return waiting("tables");
      seenVersion = version;
      loaded = true;
      lastError = "";
      const next = JSON.stringify(rows);
      if (next === signature) return;
      signature = next;
      table = buildRouteTable(rows, options.domain, options.extras);
      options.log(`edge: route table loaded: ${table.routeCount} route(s), ${table.hosts.size} host(s)`);
      options.onChange?.(table);
    } catch (error) {
      // The old table keeps serving; say so once per distinct failure, not every 200 ms.
      const message = (error as Error).message;
      if (message !== lastError) options.log(`edge: cannot read routes (still serving the last table): ${message}`);
      lastError = message;
    }
  };

  const waiting = (what: string | null) => {
    if (what && !loaded && !waitingLogged) {
      options.log(`edge: waiting for the state ${what} (has \`berth serve\` run yet?)`);
      waitingLogged = true;
    }
  };

  poll();
  const timer = setInterval(poll, options.pollMs);
  return { current: () => table, poll, stop: () => clearInterval(timer) };
}
