import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { migrate, openDb, type Db } from "../../src/adapters/store/db.ts";
import { edgeRoutes, gatewayClients } from "../../src/adapters/store/schema.ts";
import { gatewaySigningKey } from "../../src/edge/gateway-key.ts";
import { signGatewayToken } from "../../src/edge/gateway-token.ts";

export const PROJECT = "bench";
export const ENVIRONMENT = "prod";
export const DOMAIN = "localhost";
export const WEBSITE_HOST = `web.${ENVIRONMENT}.${PROJECT}.${DOMAIN}`;
export const GATEWAY_HOST = `gateway.${ENVIRONMENT}.${PROJECT}.${DOMAIN}`;
export const CLIENT_ID = "bench-client";

export interface EdgeState {
  dataDir: string;
  /** Kept open for the whole run, as `berth serve` keeps it: the edge reads the DB beside a writer. */
  db: Db;
  /** A valid bearer token for the gateway route, signed with the key the edge derives. */
  token: string;
  signingKey: Uint8Array;
  /** Closes the DB and deletes the data dir (stop the edge first). */
  stop(): Promise<void>;
}

/**
 * A data dir as `berth serve` leaves it, made with the real migrations: one website route and
 * one gateway route (`/api`, bearer token) to `upstream`, a gateway client, and `secret.key`.
 */
export async function makeEdgeState(upstream: { host: string; port: number }, tokenTtlSeconds: number): Promise<EdgeState> {
  const dataDir = join(mkdtempSync(join(tmpdir(), "berth-bench-edge-")), "data");
  mkdirSync(dataDir, { mode: 0o700 });
  const masterKey = randomBytes(32);
  writeFileSync(join(dataDir, "secret.key"), masterKey, { mode: 0o600 });

  const db = openDb(join(dataDir, "berth.db"));
  migrate(db);
  const now = new Date().toISOString();
  const route = { project: PROJECT, environment: ENVIRONMENT, upstreams: [upstream], updatedAt: now };
  db.insert(edgeRoutes).values([
    { ...route, host: WEBSITE_HOST, pathPrefix: "/", block: "web", auth: "none" },
    { ...route, host: GATEWAY_HOST, pathPrefix: "/api", block: "api", auth: "gateway" },
  ]).run();
  const secretHash = createHash("sha256").update(randomBytes(24).toString("hex")).digest("hex");
  db.insert(gatewayClients).values({ clientId: CLIENT_ID, project: PROJECT, environment: ENVIRONMENT, name: "bench", secretHash }).run();

  const signingKey = gatewaySigningKey(masterKey, PROJECT, ENVIRONMENT);
  const token = await signGatewayToken(signingKey, { clientId: CLIENT_ID, audience: `${PROJECT}/${ENVIRONMENT}`, ttlSeconds: tokenTtlSeconds });
  return {
    dataDir,
    db,
    token,
    signingKey,
    async stop() {
      db.$client.close();
      rmSync(dirname(dataDir), { recursive: true, force: true });
    },
  };
}
