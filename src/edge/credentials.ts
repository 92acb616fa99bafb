import type { GatewayClientRow, Route, RouteTable } from "./route-table.ts";

/**
 * Credentials from the route table. The handler asks the table to follow the DB (a
 * `data_version` check, re-reading only when something was committed) before each decision, so
 * a client or password the API has just created works at once and a revoked one stops at once;
 * while the DB cannot be read the last loaded table answers, so the edge keeps serving.
 */
export const tableCredentials = {
  client: (table: RouteTable, clientId: string): GatewayClientRow | undefined => table.clients.get(clientId),
  passwordHash: (table: RouteTable, route: Route, username: string): string | undefined => table.users.get(route.realm)?.get(username),
};

export type Credentials = typeof tableCredentials;
