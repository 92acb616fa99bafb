import { Database } from "bun:sqlite";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { statSync } from "node:fs";
import { isNotNull } from "drizzle-orm";
import { acmeChallenges, basicAuthUsers, certificates, edgeRoutes, gatewayClients } from "./schema.ts";

export interface EdgeRouteRecord {
  id: number;
  host: string;
  pathPrefix: string;
  project: string;
  environment: string;
  block: string;
  auth: "none" | "basic" | "gateway";
  upstreams: { host: string; port: number }[];
  /** Absent in rows written before HTTPS existed: "redirect" and false. */
  https?: "redirect" | "optional";
  hsts?: boolean;
}

/** A certificate the edge may serve; the key stays sealed until the edge builds its TLS context. */
export interface EdgeCertRecord {
  host: string;
  certPem: string;
  keySealed: string;
  notAfter: string;
}

export interface ChallengeRecord {
  token: string;
  keyAuthorization: string;
}

export interface BasicAuthUserRecord {
  project: string;
  environment: string;
  block: string;
  username: string;
  passwordHash: string;
}

export interface GatewayClientRecord {
  clientId: string;
  project: string;
  environment: string;
  secretHash: string;
}

/** Every row the edge serves from; the edge's route table is built from exactly this. */
export interface EdgeSnapshot {
  routes: EdgeRouteRecord[];
  basicAuthUsers: BasicAuthUserRecord[];
  gatewayClients: GatewayClientRecord[];
  certificates?: EdgeCertRecord[];
  challenges?: ChallengeRecord[];
}

/**
 * What `berth edge` reads of the state DB. Read-only on purpose: the edge must never migrate,
 * lock or write the control plane's database, and WAL lets it read while `serve` writes.
 */
export interface EdgeReader {
  /** Changes whenever another connection commits; null while the DB cannot be opened. */
  version(): number | null;
  /** Every row the edge needs, from one read transaction; null while the DB or its tables are missing. */
  load(): EdgeSnapshot | null;
  close(): void;
}

/** How often the DB file's inode is compared (a restored file is seen within this, like the edge's poll). */
const INODE_CHECK_MS = 200;

export function openEdgeReader(path: string): EdgeReader {
  let client: Database | null = null;
  let inode = 0;
  // Bumped on each reopen, so the version moves even when the new file's data_version repeats an old one.
  let generation = 0;
  const inodeNow = () => {
    try {
      return statSync(path).ino;
    } catch {
      return 0;
    }
  };

  // The edge asks for the version before each auth decision: a stat per request would be a
  // syscall on the hot path for an event (a restore) that a poll interval's delay covers.
  let checkedAt = 0;
  const fileReplaced = () => {
    const now = Date.now();
    if (now - checkedAt < INODE_CHECK_MS) return false;
    checkedAt = now;
    return inodeNow() !== inode;
  };

  // Opened lazily and retried: the edge may start before `berth serve` ever created the DB.
  // A restore puts a new file in place; the open handle would keep reading the old one, so
  // a changed inode closes it and the next read opens the file that is there now.
  const connect = (): Database | null => {
    if (client && !fileReplaced()) return client;
    if (client) {
      client.close();
      client = null;
      generation++;
    }
    try {
      inode = inodeNow();
      client = new Database(path, { readonly: true, strict: true });
      client.exec("PRAGMA busy_timeout = 1000");
    } catch {
      client = null;
    }
    return client;
  };

  return {
    version() {
      const db = connect();
      if (!db) return null;
      try {
        return generation * 1e9 + (db.query("PRAGMA data_version").get() as { data_version: number }).data_version;
      } catch {
        return null;
      }
    },
    load() {
      const db = connect();
      if (!db) return null;
      const orm = drizzle({ client: db });
      try {
        return db.transaction(() => ({
          routes: orm
            .select({
              id: edgeRoutes.id,
              host: edgeRoutes.host,
              pathPrefix: edgeRoutes.pathPrefix,
              project: edgeRoutes.project,
              environment: edgeRoutes.environment,
              block: edgeRoutes.block,
              auth: edgeRoutes.auth,
              upstreams: edgeRoutes.upstreams,
              https: edgeRoutes.https,
              hsts: edgeRoutes.hsts,
            })
            .from(edgeRoutes)
            .all(),
          basicAuthUsers: orm
            .select({
              project: basicAuthUsers.project,
              environment: basicAuthUsers.environment,
              block: basicAuthUsers.block,
              username: basicAuthUsers.username,
              passwordHash: basicAuthUsers.passwordHash,
            })
            .from(basicAuthUsers)
            .all(),
          gatewayClients: orm
            .select({
              clientId: gatewayClients.clientId,
              project: gatewayClients.project,
              environment: gatewayClients.environment,
              secretHash: gatewayClients.secretHash,
            })
            .from(gatewayClients)
            .all(),
          certificates: orm
            .select({ host: certificates.host, certPem: certificates.certPem, keySealed: certificates.keySealed, notAfter: certificates.notAfter })
            .from(certificates)
            .where(isNotNull(certificates.certPem))
            .all()
            .filter((c): c is EdgeCertRecord => c.certPem !== null && c.keySealed !== null && c.notAfter !== null),
          challenges: orm.select({ token: acmeChallenges.token, keyAuthorization: acmeChallenges.keyAuthorization }).from(acmeChallenges).all(),
        }))();
      } catch (error) {
        // Tables not migrated yet, or the DB busy in a way the timeout did not cover: try again later.
        if (/no such table|SQLITE_BUSY|database is locked/i.test(String((error as Error).message))) return null;
        throw error;
      }
    },
    close() {
      client?.close();
      client = null;
    },
  };
}
