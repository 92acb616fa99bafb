import { and, asc, eq } from "drizzle-orm";
import type { AccessStore } from "../../ports/release-store.ts";
import type { Db } from "./db.ts";
import { basicAuthUsers, gatewayClients } from "./schema.ts";

export function createAccessStore(db: Db): AccessStore {
  const user = (ref: { project: string; environment: string; block: string }) =>
    and(eq(basicAuthUsers.project, ref.project), eq(basicAuthUsers.environment, ref.environment), eq(basicAuthUsers.block, ref.block));
  const clientsOf = (project: string, environment: string) => and(eq(gatewayClients.project, project), eq(gatewayClients.environment, environment));
  const clientColumns = { clientId: gatewayClients.clientId, name: gatewayClients.name, createdAt: gatewayClients.createdAt };

  return {
    setBasicAuthUser(ref, username, passwordHash) {
      const updatedAt = new Date().toISOString();
      db.insert(basicAuthUsers).values({ ...ref, username, passwordHash, updatedAt })
        .onConflictDoUpdate({ target: [basicAuthUsers.project, basicAuthUsers.environment, basicAuthUsers.block, basicAuthUsers.username], set: { passwordHash, updatedAt } }).run();
    },
    removeBasicAuthUser: (ref, username) =>
      db.delete(basicAuthUsers).where(and(user(ref), eq(basicAuthUsers.username, username))).returning({ u: basicAuthUsers.username }).all().length > 0,
    listBasicAuthUsers: (ref) => db.select({ u: basicAuthUsers.username }).from(basicAuthUsers).where(user(ref)).orderBy(asc(basicAuthUsers.username)).all().map((r) => r.u),
    createGatewayClient: (client) => db.insert(gatewayClients).values(client).returning(clientColumns).get(),
    listGatewayClients: (project, environment) => db.select(clientColumns).from(gatewayClients).where(clientsOf(project, environment)).orderBy(asc(gatewayClients.createdAt)).all(),
    deleteGatewayClient: (project, environment, clientId) =>
      db.delete(gatewayClients).where(and(clientsOf(project, environment), eq(gatewayClients.clientId, clientId))).returning({ id: gatewayClients.clientId }).all().length > 0,
    removeEnvironmentAccess(project, environment) {
      db.delete(basicAuthUsers).where(and(eq(basicAuthUsers.project, project), eq(basicAuthUsers.environment, environment))).run();
      db.delete(gatewayClients).where(clientsOf(project, environment)).run();
    },
  };
}
