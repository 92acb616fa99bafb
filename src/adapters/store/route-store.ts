import { and, asc, eq, inArray } from "drizzle-orm";
import type { RouteStore } from "../../ports/release-store.ts";
import type { Db } from "./db.ts";
import { edgeRoutes } from "./schema.ts";

export function createRouteStore(db: Db): RouteStore {
  const ofEnv = (project: string, environment: string) => and(eq(edgeRoutes.project, project), eq(edgeRoutes.environment, environment));
  return {
    replaceBlockRoutes(project, environment, block, routes) {
      const updatedAt = new Date().toISOString();
      db.transaction((tx) => {
        tx.delete(edgeRoutes).where(and(ofEnv(project, environment), eq(edgeRoutes.block, block))).run();
        for (const r of routes) tx.insert(edgeRoutes).values({ ...r, project, environment, block, updatedAt }).run();
      });
    },
    removeEnvironmentRoutes(project, environment) {
      db.delete(edgeRoutes).where(ofEnv(project, environment)).run();
    },
    listRoutes: (project, environment) =>
      db.select({ block: edgeRoutes.block, host: edgeRoutes.host, pathPrefix: edgeRoutes.pathPrefix, auth: edgeRoutes.auth, upstreams: edgeRoutes.upstreams, https: edgeRoutes.https, hsts: edgeRoutes.hsts })
        .from(edgeRoutes).where(ofEnv(project, environment)).orderBy(asc(edgeRoutes.host), asc(edgeRoutes.pathPrefix)).all(),
    hostHolders: (hosts) =>
      hosts.length === 0
        ? []
        : db.selectDistinct({ host: edgeRoutes.host, project: edgeRoutes.project, environment: edgeRoutes.environment, block: edgeRoutes.block })
            .from(edgeRoutes).where(inArray(edgeRoutes.host, hosts)).all(),
  };
}
