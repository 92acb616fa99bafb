import type { RouteRow, RouteStore } from "../../ports/release-store.ts";
import type { Upstream } from "../../ports/runtime.ts";
import { conflict } from "../errors.ts";
import type { BlockSpec } from "../project-file/schema.ts";
import { routesFor, type Place } from "./routes.ts";

const shape = (r: RouteRow) => JSON.stringify([r.host, r.pathPrefix, r.auth, r.https ?? "redirect", r.hsts ?? false]);

/**
 * A block whose containers a release kept as they were gets no traffic switch, yet the release
 * may change its routes (a domain added, a password turned on, `https`): rewrite them, on the
 * upstreams it already serves from, when they differ.
 */
export function keepRoutes(routes: RouteStore, place: Place, block: string, spec: BlockSpec | undefined, upstreams: Upstream[]) {
  const rows = spec ? routesFor(place, block, spec, upstreams) : [];
  const stored = routes.listRoutes(place.project, place.environment).filter((r) => r.block === block);
  if (stored.map(shape).sort().join() === rows.map(shape).sort().join()) return;
  const held = routes.hostHolders(rows.map((r) => r.host)).find((h) => h.project !== place.project || h.environment !== place.environment);
  if (held) throw conflict(`${held.host} is already routed to block ${held.block} of project "${held.project}", environment ${held.environment}`);
  routes.replaceBlockRoutes(place.project, place.environment, block, rows);
}
