import type { GatewayClientRow, Route, RouteTable } from "./route-table.ts";

/** Where credentials are looked up one at a time: the state DB, read-only (see the edge reader). */
export interface CredentialSource {
  client(clientId: string): GatewayClientRow | null;
  passwordHash(project: string, environment: string, block: string, username: string): string | null;
}

/**
 * Credentials as the DB holds them at the moment of the request, not as of the last table
 * load: a client or password the API has just created works at once, a revoked one stops at
 * once. One primary-key lookup per decision; while the DB cannot be read the last loaded
 * table answers, so the edge keeps serving.
 */
export function createCredentials(source: CredentialSource) {
  return {
    client(table: RouteTable, clientId: string): GatewayClientRow | undefined {
      try {
        return source.client(clientId) ?? undefined;
      } catch {
        return table.clients.get(clientId);
      }
    },
    passwordHash(table: RouteTable, route: Route, username: string): string | undefined {
      try {
        return source.passwordHash(route.project, route.environment, route.block, username) ?? undefined;
      } catch {
        return table.users.get(route.realm)?.get(username);
      }
    },
  };
}

export type Credentials = ReturnType<typeof createCredentials>;
