import { describe, expect, test } from "bun:test";
import { migrate, openDb } from "../../adapters/store/db.ts";
import { createRouteStore } from "../../adapters/store/route-store.ts";
import type { BlockSpec } from "../project-file/schema.ts";
import { keepRoutes } from "./kept-routes.ts";
import { routesFor } from "./routes.ts";

const place = { project: "shop", environment: "dev", domain: "berth.test" };
const upstreams = [{ host: "127.0.0.1", port: 32001 }];
const website = (extra: Partial<BlockSpec> = {}) => ({ kind: "website", image: "berth-base/busybox:latest", port: 8080, ...extra }) as BlockSpec;

/** The real route store over a fresh database, counting the reads of a whole environment. */
function countedStore() {
  const db = openDb(":memory:");
  migrate(db);
  const store = createRouteStore(db);
  const calls = { listRoutes: 0, replaceBlockRoutes: [] as string[] };
  const counted = {
    ...store,
    listRoutes: (...args: Parameters<typeof store.listRoutes>) => (calls.listRoutes++, store.listRoutes(...args)),
    replaceBlockRoutes: (...args: Parameters<typeof store.replaceBlockRoutes>) => (calls.replaceBlockRoutes.push(args[2]), store.replaceBlockRoutes(...args)),
  };
  return { store, counted, calls };
}

describe("routes of kept blocks", () => {
  test("one read of the environment's routes for all kept blocks; only a changed block's are rewritten", () => {
    const { store, counted, calls } = countedStore();
    const names = Array.from({ length: 20 }, (_, i) => `w${i}`);
    for (const name of names) store.replaceBlockRoutes(place.project, place.environment, name, routesFor(place, name, website(), upstreams));

    keepRoutes(counted, place, names.map((block) => ({ block, spec: block === "w7" ? website({ domains: ["shop.example"] }) : website(), upstreams })));

    expect(calls.listRoutes).toBe(1);
    expect(calls.replaceBlockRoutes).toEqual(["w7"]);
    const w7 = store.listRoutes(place.project, place.environment).filter((r) => r.block === "w7").map((r) => r.host).sort();
    expect(w7).toEqual(["shop.example", "w7.dev.shop.berth.test"]);
  });

  test("a kept block's host held by another environment is refused in its own words", () => {
    const { store, counted } = countedStore();
    store.replaceBlockRoutes("shop", "prod", "web", routesFor({ ...place, environment: "prod" }, "web", website({ domains: ["shop.example"] }), upstreams));
    expect(() => keepRoutes(counted, place, [{ block: "web", spec: website({ domains: ["shop.example"] }), upstreams }])).toThrow(
      'shop.example is already routed to block web of project "shop", environment prod',
    );
  });

  test("nothing kept reads nothing", () => {
    const { counted, calls } = countedStore();
    keepRoutes(counted, place, []);
    expect(calls.listRoutes).toBe(0);
  });
});
