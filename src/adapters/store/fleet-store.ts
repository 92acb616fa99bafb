import { asc, eq } from "drizzle-orm";
import type { FleetStore } from "../../ports/fleet-store.ts";
import type { Db } from "./db.ts";
import { fleetNodes, fleetServer } from "./schema.ts";

export function createFleetStore(db: Db): FleetStore {
  return {
    server() {
      const row = db.select().from(fleetServer).where(eq(fleetServer.id, 1)).get();
      if (!row) return null;
      const { id: _, ...server } = row;
      return server;
    },
    saveServer(server) {
      const row = { id: 1, ...server };
      db.insert(fleetServer).values(row).onConflictDoUpdate({ target: fleetServer.id, set: server }).run();
    },
    nodes: () => db.select().from(fleetNodes).orderBy(asc(fleetNodes.name)).all(),
    node: (name) => db.select().from(fleetNodes).where(eq(fleetNodes.name, name)).get() ?? null,
    putNode(node) {
      db.insert(fleetNodes).values(node).onConflictDoUpdate({ target: fleetNodes.name, set: node }).run();
    },
    removeNode(name) {
      db.delete(fleetNodes).where(eq(fleetNodes.name, name)).run();
    },
  };
}
